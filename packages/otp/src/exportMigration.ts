import { checkedRandom, type RandomSource, systemRandom, utf8Encode } from '@cloudmfa/core';
import { checkInt, checkOptions, fail, MAX_COUNTER } from './_common.js';
import { encodeBase64 } from './_base64.js';
import {
  ALGORITHM_ENUM,
  DIGITS_ENUM,
  MAX_BATCH_SIZE,
  MAX_PAYLOAD_BYTES,
  MIGRATION_PERIOD,
  MIGRATION_PREFIX,
  PARAMS,
  PAYLOAD,
  TYPE_ENUM,
} from './_migration.js';
import { checkText, secretWithCode } from './_otpauth.js';
import { Writer } from './_protobuf.js';
import type { OtpauthInput } from './types.js';

/**
 * Exports accounts as Google Authenticator migration URIs (`otpauth-migration://offline?data=`,
 * one per QR code), in batches of at most `maxPerUri` accounts that share one `batch_id`.
 *
 * Google's format only carries SHA1/SHA256/SHA512, 6 or 8 digits and a 30-second period; other
 * values throw (`ERR_MIGRATION_ALGORITHM`, `ERR_MIGRATION_DIGITS`, `ERR_MIGRATION_PERIOD`), as do
 * a bad secret (`ERR_MIGRATION_SECRET`), account or issuer (`ERR_MIGRATION_NAME`), counter
 * (`ERR_MIGRATION_COUNTER`), type (`ERR_MIGRATION_TYPE`), batch options or an empty list
 * (`ERR_MIGRATION_BATCH`), and a URI the importer would refuse as too large
 * (`ERR_MIGRATION_TOO_LARGE`). `labelIssuer` and `extraParameters` have no field and are not
 * exported. The URIs contain the secrets: treat them like the secrets.
 *
 * @param options.maxPerUri - accounts per URI, 1..100, default 10.
 * @param options.batchId - the int32 batch id; default: random from `options.random`.
 * @example
 * ```ts
 * const uris = exportMigration([
 *   { type: 'totp', secret, issuer: 'Acme', account: 'alice' },
 *   { type: 'hotp', secret: other, account: 'bob', counter: 7 },
 * ]);
 * for (const uri of uris) showQr(uri);
 * ```
 */
export function exportMigration(
  accounts: readonly OtpauthInput[],
  options: { maxPerUri?: number; batchId?: number; random?: RandomSource } = {},
): string[] {
  checkOptions(options);
  if (!Array.isArray(accounts) || accounts.length === 0) fail('ERR_MIGRATION_BATCH', '"accounts" expected a non-empty array');
  const maxPerUri = checkInt(options.maxPerUri ?? 10, 'maxPerUri', 1, 100, 'ERR_MIGRATION_BATCH');
  const batchSize = Math.ceil(accounts.length / maxPerUri);
  if (batchSize > MAX_BATCH_SIZE) fail('ERR_MIGRATION_BATCH', `more than ${MAX_BATCH_SIZE} URIs in one batch`);
  let batchId: number;
  if (options.batchId !== undefined) batchId = checkInt(options.batchId, 'batchId', -2147483648, 2147483647, 'ERR_MIGRATION_BATCH');
  else {
    const r = checkedRandom(options.random ?? systemRandom)(4);
    batchId = (((r[0] as number) << 24) | ((r[1] as number) << 16) | ((r[2] as number) << 8) | (r[3] as number)) & 0x7fffffff;
  }
  const entries = accounts.map(encodeAccount);
  const uris: string[] = [];
  for (let index = 0; index < batchSize; index++) {
    const w = new Writer();
    for (const entry of entries.slice(index * maxPerUri, (index + 1) * maxPerUri)) w.bytes(PAYLOAD.otpParameters, entry);
    w.int(PAYLOAD.version, 1);
    w.int(PAYLOAD.batchSize, batchSize);
    w.int(PAYLOAD.batchIndex, index);
    w.int(PAYLOAD.batchId, batchId);
    if (w.length > MAX_PAYLOAD_BYTES) fail('ERR_MIGRATION_TOO_LARGE', `a payload would exceed ${MAX_PAYLOAD_BYTES} bytes: lower maxPerUri`);
    uris.push(`${MIGRATION_PREFIX}data=${encodeURIComponent(encodeBase64(w.finish()))}`);
  }
  return uris;
}

function encodeAccount(account: OtpauthInput, i: number): Uint8Array {
  if (typeof account !== 'object' || account === null) return fail('ERR_MIGRATION_TYPE', `"accounts[${i}]" expected an object`);
  const type = account.type;
  if (type !== 'totp' && type !== 'hotp') fail('ERR_MIGRATION_TYPE', `"accounts[${i}].type" must be totp or hotp`);
  const { bytes } = secretWithCode(account.secret, 'ERR_MIGRATION_SECRET');
  const name = checkText(account.account, `accounts[${i}].account`, 'ERR_MIGRATION_NAME');
  if (name[0] === ' ') fail('ERR_MIGRATION_NAME', `"accounts[${i}].account" must not start with a space`);
  const issuer = account.issuer === undefined ? undefined : checkText(account.issuer, `accounts[${i}].issuer`, 'ERR_MIGRATION_NAME');
  const algorithm = account.algorithm ?? 'SHA1';
  if (algorithm !== 'SHA1' && algorithm !== 'SHA256' && algorithm !== 'SHA512') {
    fail('ERR_MIGRATION_ALGORITHM', `"accounts[${i}].algorithm" must be SHA1, SHA256 or SHA512`);
  }
  const digits = account.digits ?? 6;
  const digitsEnum = DIGITS_ENUM[digits as number];
  if (digitsEnum === undefined) fail('ERR_MIGRATION_DIGITS', `"accounts[${i}].digits": Google's format only carries 6 or 8 digits`);

  const w = new Writer();
  w.bytes(PARAMS.secret, bytes);
  // The importer strips a leading "issuer:" from the name; keep an account that starts with
  // that text intact by prefixing it once more.
  const prefixed = issuer !== undefined && name.slice(0, issuer.length + 1) === `${issuer}:`;
  w.bytes(PARAMS.name, utf8Encode(prefixed ? `${issuer}:${name}` : name));
  if (issuer !== undefined) w.bytes(PARAMS.issuer, utf8Encode(issuer));
  w.int(PARAMS.algorithm, ALGORITHM_ENUM[algorithm]);
  w.int(PARAMS.digits, digitsEnum);
  w.int(PARAMS.type, TYPE_ENUM[type]);
  if (account.type === 'totp') {
    if ((account.period ?? MIGRATION_PERIOD) !== MIGRATION_PERIOD) {
      fail('ERR_MIGRATION_PERIOD', `"accounts[${i}].period": Google's format only carries 30-second TOTP`);
    }
  } else {
    w.int(PARAMS.counter, checkInt(account.counter, `accounts[${i}].counter`, 0, MAX_COUNTER, 'ERR_MIGRATION_COUNTER'));
  }
  return w.finish();
}
