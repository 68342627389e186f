import { CloudMfaError, utf8Decode } from '@cloudmfa/core';
import { fail, MAX_SECRET_BYTES, warn } from './_common.js';
import { decodeBase64, MAX_BATCH_SIZE, MAX_MIGRATION_URI, MAX_PAYLOAD_BYTES, MIGRATION_PERIOD, PARAMS, PAYLOAD } from './_migration.js';
import { checkText, MAX_TEXT, secretWithCode } from './_otpauth.js';
import { int32, Reader, uint53, WIRE_LEN, WIRE_VARINT } from './_protobuf.js';
import type { MigrationImport, OtpAlgorithm, ParsedOtpauthUri } from './types.js';

interface Payload {
  accounts: ParsedOtpauthUri[];
  version: number;
  batchSize: number;
  batchIndex: number;
  batchId: number;
}

/**
 * Imports Google Authenticator migration URIs (`otpauth-migration://offline?data=`, the
 * "Transfer accounts" QR codes): one URI, or an array with several URIs of one batch. Accounts
 * come back in the shape `parseOtpauthUri` returns (TOTP with `period: 30`), with warnings
 * (`SECRET_SHORT`, `ISSUER_MISSING`).
 *
 * A tiny hand-written protobuf reader decodes the payload under caps (URI <= 16,384
 * characters, payload <= 12,288 bytes, strings <= 256 characters). Malformed input throws
 * `CloudMfaError`: `ERR_MIGRATION_SCHEME`, `ERR_MIGRATION_DATA`, `ERR_MIGRATION_TOO_LARGE`,
 * `ERR_MIGRATION_VARINT`, `ERR_MIGRATION_PROTOBUF`, `ERR_MIGRATION_SECRET`, `ERR_MIGRATION_NAME`,
 * `ERR_MIGRATION_ALGORITHM` (MD5 included), `ERR_MIGRATION_DIGITS`, `ERR_MIGRATION_TYPE`,
 * `ERR_MIGRATION_COUNTER`, `ERR_MIGRATION_BATCH` (URIs of different batches, a repeated or
 * out-of-range index). The accounts hold secrets: treat the result like the secrets.
 *
 * @example
 * ```ts
 * import { importMigration } from '@cloudmfa/otp/migration';
 * const { accounts, complete, batchSize, indexes } = importMigration([qr1, qr2]);
 * if (!complete) ask(`scan the remaining ${batchSize - indexes.length} codes`);
 * for (const a of accounts) store(a.issuer, a.account, createOtpKey({ secret: a.secret, algorithm: a.algorithm }));
 * ```
 */
export function importMigration(uris: string | readonly string[]): MigrationImport {
  const list = typeof uris === 'string' ? [uris] : uris;
  if (!Array.isArray(list) || !list.length || list.length > MAX_BATCH_SIZE) fail('ERR_MIGRATION_BATCH', `"uris" expected 1 to ${MAX_BATCH_SIZE} URIs`);
  const payloads = list.map(decodePayload).sort((a, b) => a.batchIndex - b.batchIndex);
  const first = payloads[0] as Payload;
  payloads.forEach((p, i) => {
    if (p.batchId !== first.batchId || p.batchSize !== first.batchSize || p.version !== first.version) {
      fail('ERR_MIGRATION_BATCH', 'the URIs come from different exports');
    }
    if (i && p.batchIndex === (payloads[i - 1] as Payload).batchIndex) fail('ERR_MIGRATION_BATCH', `batch index ${p.batchIndex} appears twice`);
  });
  return {
    accounts: payloads.flatMap((p) => p.accounts),
    version: first.version,
    batchId: first.batchId,
    batchSize: first.batchSize,
    indexes: payloads.map((p) => p.batchIndex),
    complete: payloads.length === first.batchSize,
  };
}

function decodePayload(uri: unknown): Payload {
  if (typeof uri !== 'string' || !/^otpauth-migration:\/\/offline\?/i.test(uri)) {
    return fail('ERR_MIGRATION_SCHEME', 'the URI must start with otpauth-migration://offline?');
  }
  if (uri.length > MAX_MIGRATION_URI) fail('ERR_MIGRATION_TOO_LARGE', `the URI is over ${MAX_MIGRATION_URI} characters`);
  const data = uri
    .slice(uri.indexOf('?') + 1)
    .split('&')
    .filter((s) => s.indexOf('data=') === 0);
  if (data.length !== 1 || data[0] === 'data=') fail('ERR_MIGRATION_DATA', 'expected one data parameter');
  let text: string;
  try {
    // Only '%' escapes are decoded: a raw '+' is base64, not a space.
    text = decodeURIComponent((data[0] as string).slice(5));
  } catch {
    return fail('ERR_MIGRATION_DATA', 'bad "%" escape in the data parameter');
  }
  const bytes = decodeBase64(text);
  if (bytes.length > MAX_PAYLOAD_BYTES) fail('ERR_MIGRATION_TOO_LARGE', `the payload is over ${MAX_PAYLOAD_BYTES} bytes`);

  const r = new Reader(bytes, 0, bytes.length);
  const payload: Payload = { accounts: [], version: 0, batchSize: 0, batchIndex: 0, batchId: 0 };
  while (!r.done()) {
    const [field, wire] = r.tag();
    if (field === PAYLOAD.otpParameters && wire === WIRE_LEN) payload.accounts.push(decodeAccount(bytes, r.bytes()));
    else if (field > 1 && field < 6 && wire === WIRE_VARINT) {
      const v = int32(r.varint());
      if (field === PAYLOAD.version) payload.version = v;
      else if (field === PAYLOAD.batchSize) payload.batchSize = v;
      else if (field === PAYLOAD.batchIndex) payload.batchIndex = v;
      else payload.batchId = v;
    } else if (field < 6) fail('ERR_MIGRATION_PROTOBUF', `payload field ${field} has the wrong wire type`);
    else r.skip(wire);
  }
  // proto3 leaves zero values out: an absent batch size means a single URI.
  payload.batchSize ||= 1;
  if (payload.batchSize < 1 || payload.batchSize > MAX_BATCH_SIZE || payload.batchIndex < 0 || payload.batchIndex >= payload.batchSize) {
    fail('ERR_MIGRATION_BATCH', 'batch size or index out of range');
  }
  return payload;
}

const ALGORITHMS: Array<OtpAlgorithm | undefined> = ['SHA1', 'SHA1', 'SHA256', 'SHA512'];

function decodeAccount(buf: Uint8Array, [start, end]: [number, number]): ParsedOtpauthUri {
  const r = new Reader(buf, start, end);
  let secret = new Uint8Array(0);
  const text = ['', ''];
  const enums = [0, 0, 0]; // algorithm, digits, type
  let counter = 0;
  while (!r.done()) {
    const [field, wire] = r.tag();
    if (field < 4 && wire === WIRE_LEN) {
      const [s, e] = r.bytes();
      if (field === PARAMS.secret) secret = buf.slice(s, e);
      else if (e - s > 4 * MAX_TEXT) fail('ERR_MIGRATION_NAME', `name or issuer over ${MAX_TEXT} characters`);
      else {
        try {
          text[field - 2] = utf8Decode(buf.subarray(s, e));
        } catch (err) {
          fail('ERR_MIGRATION_PROTOBUF', 'a string field is not UTF-8', err instanceof CloudMfaError ? err : undefined);
        }
      }
    } else if (field > 3 && field < 8 && wire === WIRE_VARINT) {
      const v = r.varint();
      if (field === PARAMS.counter) {
        counter = uint53(v);
        if (counter < 0) fail('ERR_MIGRATION_COUNTER', 'counter negative or beyond 2^53 - 1');
      } else enums[field - 4] = int32(v);
    } else if (field < 8) fail('ERR_MIGRATION_PROTOBUF', `account field ${field} has the wrong wire type`);
    else r.skip(wire);
  }

  if (secret.length > MAX_SECRET_BYTES) fail('ERR_MIGRATION_SECRET', `secret over ${MAX_SECRET_BYTES} bytes`);
  const { bytes, warnings } = secretWithCode(secret, 'ERR_MIGRATION_SECRET');
  const [alg, digitsEnum, type] = enums as [number, number, number];
  const algorithm = ALGORITHMS[alg] ?? fail('ERR_MIGRATION_ALGORITHM', alg === 4 ? 'MD5 is not supported' : `unknown algorithm ${alg}`);
  const digits = [6, 6, 8][digitsEnum] ?? fail('ERR_MIGRATION_DIGITS', `unknown digit count ${digitsEnum}`);
  if (type !== 1 && type !== 2) fail('ERR_MIGRATION_TYPE', `unknown type ${type}`);

  // Exporters differ: some write "issuer:account" as the name. Our exporter doubles such a
  // prefix when the account itself starts with it, so this is exact for our own exports.
  const [name, issuer] = text as [string, string];
  const account = checkText((issuer && name.indexOf(`${issuer}:`) === 0 ? name.slice(issuer.length + 1) : name).replace(/^ +/, ''), 'name', 'ERR_MIGRATION_NAME');
  if (issuer) checkText(issuer, 'issuer', 'ERR_MIGRATION_NAME');
  else warn(warnings, 'ISSUER_MISSING', 'no issuer');
  return {
    type: type === 2 ? 'totp' : 'hotp',
    secret: bytes,
    account,
    ...(issuer && { issuer }),
    algorithm,
    digits,
    ...(type === 2 ? { period: MIGRATION_PERIOD } : { counter }),
    warnings,
  } as ParsedOtpauthUri;
}
