import { CloudMfaError, utf8Decode } from '@cloudmfa/core';
import { fail, MAX_SECRET_BYTES } from './_common.js';
import { decodeBase64 } from './_base64.js';
import {
  ALGORITHM_MD5,
  MAX_BATCH_SIZE,
  MAX_MIGRATION_URI,
  MAX_PAYLOAD_BYTES,
  MIGRATION_PERIOD,
  PARAMS,
  PAYLOAD,
} from './_migration.js';
import { checkText, issuerMissing, MAX_TEXT, secretWithCode } from './_otpauth.js';
import { int32, Reader, uint53, WIRE_LEN, WIRE_VARINT } from './_protobuf.js';
import type { MigrationImport, OtpAlgorithm, ParsedOtpauthUri } from './types.js';

const ALGORITHMS: Record<number, OtpAlgorithm> = { 0: 'SHA1', 1: 'SHA1', 2: 'SHA256', 3: 'SHA512' };
const DIGITS: Record<number, number> = { 0: 6, 1: 6, 2: 8 };

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
 * characters, payload <= 12,288 bytes, strings <= 256 characters). Malformed
 * input throws `CloudMfaError`: `ERR_MIGRATION_SCHEME`, `ERR_MIGRATION_DATA`,
 * `ERR_MIGRATION_TOO_LARGE`, `ERR_MIGRATION_VARINT`, `ERR_MIGRATION_PROTOBUF`,
 * `ERR_MIGRATION_SECRET`, `ERR_MIGRATION_NAME`, `ERR_MIGRATION_ALGORITHM` (MD5 included),
 * `ERR_MIGRATION_DIGITS`, `ERR_MIGRATION_TYPE`, `ERR_MIGRATION_COUNTER`, `ERR_MIGRATION_BATCH`
 * (URIs of different batches, a repeated or out-of-range index).
 *
 * @example
 * ```ts
 * const { accounts, complete, batchSize, indexes } = importMigration([qr1, qr2]);
 * if (!complete) ask(`scan the remaining ${batchSize - indexes.length} codes`);
 * for (const a of accounts) store(a.issuer, a.account, createOtpKey(a.secret, { algorithm: a.algorithm }));
 * ```
 */
export function importMigration(uris: string | readonly string[]): MigrationImport {
  const list = typeof uris === 'string' ? [uris] : uris;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_SIZE) {
    fail('ERR_MIGRATION_BATCH', `"uris" expected a migration URI or an array of 1 to ${MAX_BATCH_SIZE}`);
  }
  const payloads = list.map(decodePayload);
  const first = payloads[0] as Payload;
  const seen = new Set<number>();
  for (const p of payloads) {
    if (p.batchId !== first.batchId || p.batchSize !== first.batchSize || p.version !== first.version) {
      fail('ERR_MIGRATION_BATCH', 'the URIs come from different exports (batch id, size or version differ)');
    }
    if (seen.has(p.batchIndex)) fail('ERR_MIGRATION_BATCH', `batch index ${p.batchIndex} appears twice`);
    seen.add(p.batchIndex);
  }
  payloads.sort((a, b) => a.batchIndex - b.batchIndex);
  const accounts: ParsedOtpauthUri[] = [];
  for (const p of payloads) accounts.push(...p.accounts);
  return {
    accounts,
    version: first.version,
    batchId: first.batchId,
    batchSize: first.batchSize,
    indexes: payloads.map((p) => p.batchIndex),
    complete: seen.size === first.batchSize,
  };
}

function decodePayload(uri: unknown): Payload {
  if (typeof uri !== 'string') return fail('ERR_MIGRATION_SCHEME', '"uri" expected a string');
  if (uri.length > MAX_MIGRATION_URI) fail('ERR_MIGRATION_TOO_LARGE', `the URI is longer than ${MAX_MIGRATION_URI} characters`);
  const q = uri.indexOf('?');
  if (q < 0 || uri.slice(0, q).toLowerCase() !== 'otpauth-migration://offline') {
    fail('ERR_MIGRATION_SCHEME', 'the URI does not start with otpauth-migration://offline?');
  }
  let data: string | undefined;
  for (const segment of uri.slice(q + 1).split('&')) {
    const eq = segment.indexOf('=');
    if (eq < 0 || segment.slice(0, eq) !== 'data') continue;
    if (data !== undefined) fail('ERR_MIGRATION_DATA', 'the data parameter appears twice');
    data = percentDecodeAscii(segment.slice(eq + 1));
  }
  if (data === undefined || data === '') return fail('ERR_MIGRATION_DATA', 'the data parameter is missing');
  const bytes = decodeBase64(data);
  if (bytes.length > MAX_PAYLOAD_BYTES) fail('ERR_MIGRATION_TOO_LARGE', `the payload is larger than ${MAX_PAYLOAD_BYTES} bytes`);

  const r = new Reader(bytes, 0, bytes.length);
  const payload: Payload = { accounts: [], version: 0, batchSize: 1, batchIndex: 0, batchId: 0 };
  let batchSize = 0;
  while (!r.done()) {
    const [field, wire] = r.tag();
    if (field === PAYLOAD.otpParameters && wire === WIRE_LEN) {
      const [start, end] = r.bytes();
      payload.accounts.push(decodeAccount(bytes, start, end));
    } else if (field >= PAYLOAD.version && field <= PAYLOAD.batchId && wire === WIRE_VARINT) {
      const v = int32(r.varint());
      if (field === PAYLOAD.version) payload.version = v;
      else if (field === PAYLOAD.batchSize) batchSize = v;
      else if (field === PAYLOAD.batchIndex) payload.batchIndex = v;
      else payload.batchId = v;
    } else if (field <= PAYLOAD.batchId) {
      fail('ERR_MIGRATION_PROTOBUF', `payload field ${field} has the wrong wire type`);
    } else r.skip(wire);
  }
  // proto3 leaves zero values out: an absent batch size means a single URI.
  payload.batchSize = batchSize === 0 ? 1 : batchSize;
  if (payload.batchSize < 1 || payload.batchSize > MAX_BATCH_SIZE) fail('ERR_MIGRATION_BATCH', `batch size must be 1..${MAX_BATCH_SIZE}`);
  if (payload.batchIndex < 0 || payload.batchIndex >= payload.batchSize) fail('ERR_MIGRATION_BATCH', 'batch index out of range');
  return payload;
}

function decodeAccount(buf: Uint8Array, start: number, end: number): ParsedOtpauthUri {
  const r = new Reader(buf, start, end);
  let secret: Uint8Array | undefined;
  let name = '';
  let issuer = '';
  let algorithm = 0;
  let digits = 0;
  let type = 0;
  let counter = 0;
  while (!r.done()) {
    const [field, wire] = r.tag();
    if (field >= PARAMS.secret && field <= PARAMS.issuer && wire === WIRE_LEN) {
      const [s, e] = r.bytes();
      if (field === PARAMS.secret) {
        if (e - s > MAX_SECRET_BYTES) fail('ERR_MIGRATION_SECRET', `secret longer than ${MAX_SECRET_BYTES} bytes`);
        secret = buf.slice(s, e);
      } else {
        if (e - s > 4 * MAX_TEXT) fail('ERR_MIGRATION_NAME', `${field === PARAMS.name ? 'name' : 'issuer'} longer than ${MAX_TEXT} characters`);
        const text = text8(buf.subarray(s, e));
        if (field === PARAMS.name) name = text;
        else issuer = text;
      }
    } else if (field >= PARAMS.algorithm && field <= PARAMS.counter && wire === WIRE_VARINT) {
      const v = r.varint();
      if (field === PARAMS.algorithm) algorithm = int32(v);
      else if (field === PARAMS.digits) digits = int32(v);
      else if (field === PARAMS.type) type = int32(v);
      else {
        counter = uint53(v);
        if (counter < 0) fail('ERR_MIGRATION_COUNTER', 'counter is negative or beyond 2^53 - 1');
      }
    } else if (field <= PARAMS.counter) {
      fail('ERR_MIGRATION_PROTOBUF', `account field ${field} has the wrong wire type`);
    } else r.skip(wire);
  }

  const warnings: ParsedOtpauthUri['warnings'] = [];
  if (secret === undefined || secret.length === 0) return fail('ERR_MIGRATION_SECRET', 'an account has no secret');
  const checked = secretWithCode(secret, 'ERR_MIGRATION_SECRET');
  warnings.push(...checked.warnings);
  const alg = ALGORITHMS[algorithm];
  if (alg === undefined) {
    fail('ERR_MIGRATION_ALGORITHM', algorithm === ALGORITHM_MD5 ? 'MD5 accounts are not supported' : `unknown algorithm ${algorithm}`);
  }
  const d = DIGITS[digits];
  if (d === undefined) fail('ERR_MIGRATION_DIGITS', `unknown digit count ${digits}`);
  if (type !== 1 && type !== 2) fail('ERR_MIGRATION_TYPE', type === 0 ? 'an account has no type' : `unknown type ${type}`);

  // Exporters differ: some write "Issuer:account" as the name. Our exporter doubles such a
  // prefix when the account itself starts with it, so this is exact for our own exports.
  let account = name;
  if (issuer !== '' && account.slice(0, issuer.length + 1) === `${issuer}:`) account = account.slice(issuer.length + 1);
  account = account.replace(/^ +/, '');
  checkText(account, 'name', 'ERR_MIGRATION_NAME');
  if (issuer !== '') checkText(issuer, 'issuer', 'ERR_MIGRATION_NAME');
  else warnings.push(issuerMissing());

  const common = { secret: checked.bytes, account, ...(issuer !== '' ? { issuer } : {}), algorithm: alg, digits: d };
  return type === 2
    ? { type: 'totp', ...common, period: MIGRATION_PERIOD, warnings }
    : { type: 'hotp', ...common, counter, warnings };
}

function text8(bytes: Uint8Array): string {
  try {
    return utf8Decode(bytes);
  } catch (err) {
    return fail('ERR_MIGRATION_PROTOBUF', 'a string field is not valid UTF-8', err instanceof CloudMfaError ? err : undefined);
  }
}

/** Percent-decoding of the data parameter, whose content is ASCII base64. */
function percentDecodeAscii(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail('ERR_MIGRATION_DATA', `bad percent-escape in the data parameter at position ${i + 1}`);
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}
