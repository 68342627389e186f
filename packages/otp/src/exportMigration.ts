import { checkedRandom, type RandomSource, systemRandom, utf8Encode } from '@cloudmfa/core';
import { checkInt, checkOptions, fail, MAX_COUNTER } from './_common.js';
import { MAX_BATCH_SIZE, MAX_PAYLOAD_BYTES, MIGRATION_PERIOD, PARAMS, PAYLOAD } from './_migration.js';
import { ALGORITHM_ENUM, DIGITS_ENUM, encodeBase64, MIGRATION_PREFIX, Writer } from './_migrationWriter.js';
import { checkText, secretWithCode } from './_otpauth.js';
import type { OtpauthInput } from './types.js';

/**
 * Options of {@link exportMigration}.
 *
 * @example
 * ```ts
 * const options: ExportMigrationOptions = { accounts: [{ type: 'totp', secret: 'JBSWY3DPEHPK3PXP', issuer: 'Acme', account: 'alice' }], maxPerUri: 5 };
 * ```
 */
export interface ExportMigrationOptions {
  /** The accounts to export, in order. */
  accounts: readonly OtpauthInput[];
  /** Accounts per URI, 1..100; default 10. */
  maxPerUri?: number;
  /** The int32 batch id; default: random from `random`. */
  batchId?: number;
  /** Randomness for the batch id; default `systemRandom`. */
  random?: RandomSource;
}

/**
 * Exports accounts as Google Authenticator migration URIs (`otpauth-migration://offline?data=`,
 * one per QR code), in batches of at most `maxPerUri` accounts that share one `batch_id`.
 *
 * Google's format only carries SHA1/SHA256/SHA512, 6 or 8 digits and a 30-second period; other
 * values throw (`ERR_MIGRATION_ALGORITHM`, `ERR_MIGRATION_DIGITS`, `ERR_MIGRATION_PERIOD`), as do
 * a bad secret (`ERR_MIGRATION_SECRET`), account or issuer (`ERR_MIGRATION_NAME`), counter
 * (`ERR_MIGRATION_COUNTER`), type (`ERR_MIGRATION_TYPE`), batch options or an empty list
 * (`ERR_MIGRATION_BATCH`), and a payload the importer would refuse as too large
 * (`ERR_MIGRATION_TOO_LARGE`). `labelIssuer` and `extraParameters` have no field and are not
 * exported. The URIs contain the secrets: treat them like the secrets.
 *
 * @example
 * ```ts
 * import { exportMigration } from '@cloudmfa/otp/server';
 * const uris = exportMigration({
 *   accounts: [
 *     { type: 'totp', secret, issuer: 'Acme', account: 'alice' },
 *     { type: 'hotp', secret: other, account: 'bob', counter: 7 },
 *   ],
 * });
 * for (const uri of uris) showQr(uri);
 * ```
 */
export function exportMigration(options: ExportMigrationOptions): string[] {
  checkOptions(options, 'options', true);
  const { accounts } = options;
  if (!Array.isArray(accounts) || !accounts.length) fail('ERR_MIGRATION_BATCH', '"accounts" expected a non-empty array');
  const maxPerUri = checkInt(options.maxPerUri ?? 10, 'maxPerUri', 1, 100, 'ERR_MIGRATION_BATCH');
  const batchSize = Math.ceil(accounts.length / maxPerUri);
  if (batchSize > MAX_BATCH_SIZE) fail('ERR_MIGRATION_BATCH', `over ${MAX_BATCH_SIZE} URIs in one batch`);
  let batchId = options.batchId;
  if (batchId === undefined) {
    const r = checkedRandom(options.random ?? systemRandom)(4);
    batchId = (((r[0] as number) << 24) | ((r[1] as number) << 16) | ((r[2] as number) << 8) | (r[3] as number)) & 0x7fffffff;
  }
  checkInt(batchId, 'batchId', -2147483648, 2147483647, 'ERR_MIGRATION_BATCH');
  const entries = accounts.map(encodeAccount);
  const uris: string[] = [];
  for (let index = 0; index < batchSize; index++) {
    const w = new Writer();
    for (const entry of entries.slice(index * maxPerUri, (index + 1) * maxPerUri)) w.bytes(PAYLOAD.otpParameters, entry);
    w.int(PAYLOAD.version, 1);
    w.int(PAYLOAD.batchSize, batchSize);
    w.int(PAYLOAD.batchIndex, index);
    w.int(PAYLOAD.batchId, batchId);
    if (w.out.length > MAX_PAYLOAD_BYTES) fail('ERR_MIGRATION_TOO_LARGE', `a payload would exceed ${MAX_PAYLOAD_BYTES} bytes: lower maxPerUri`);
    uris.push(MIGRATION_PREFIX + encodeURIComponent(encodeBase64(Uint8Array.from(w.out))));
  }
  return uris;
}

function encodeAccount(account: OtpauthInput, i: number): number[] {
  const at = `accounts[${i}]`;
  const { type, issuer, algorithm = 'SHA1', digits = 6 } = account ?? fail('ERR_MIGRATION_TYPE', `"${at}" expected an object`);
  if (type !== 'totp' && type !== 'hotp') fail('ERR_MIGRATION_TYPE', `"${at}.type" must be totp or hotp`);
  const { bytes } = secretWithCode(account.secret, 'ERR_MIGRATION_SECRET');
  const name = checkText(account.account, `${at}.account`, 'ERR_MIGRATION_NAME');
  if (name[0] === ' ') fail('ERR_MIGRATION_NAME', `"${at}.account" must not start with a space`);
  if (issuer !== undefined) checkText(issuer, `${at}.issuer`, 'ERR_MIGRATION_NAME');
  const algorithmEnum = ALGORITHM_ENUM[algorithm] ?? fail('ERR_MIGRATION_ALGORITHM', `"${at}.algorithm" must be SHA1, SHA256 or SHA512`);
  const digitsEnum = DIGITS_ENUM[digits] ?? fail('ERR_MIGRATION_DIGITS', `"${at}.digits": Google carries 6 or 8 digits only`);

  const w = new Writer();
  w.bytes(PARAMS.secret, bytes);
  // The importer strips a leading "issuer:" from the name; keep an account that starts with
  // that text intact by prefixing it once more.
  w.bytes(PARAMS.name, utf8Encode(issuer !== undefined && name.indexOf(`${issuer}:`) === 0 ? `${issuer}:${name}` : name));
  if (issuer !== undefined) w.bytes(PARAMS.issuer, utf8Encode(issuer));
  w.int(PARAMS.algorithm, algorithmEnum);
  w.int(PARAMS.digits, digitsEnum);
  if (account.type === 'totp') {
    w.int(PARAMS.type, 2);
    if ((account.period ?? MIGRATION_PERIOD) !== MIGRATION_PERIOD) fail('ERR_MIGRATION_PERIOD', `"${at}.period": Google carries 30 s only`);
  } else {
    w.int(PARAMS.type, 1);
    w.int(PARAMS.counter, checkInt(account.counter, `${at}.counter`, 0, MAX_COUNTER, 'ERR_MIGRATION_COUNTER'));
  }
  return w.out;
}
