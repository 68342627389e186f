import { storageError } from './errors.js';
import { STORAGE_LIMITS } from './limits.js';
import type { JsonObject, JsonValue } from './types.js';

// Shared validation: every adapter calls these before any I/O, so all of them reject the same
// inputs with the same code. Messages name the field and the bound, never the value.

const ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
const KIND_RE = /^[a-z][a-z0-9_.]{0,63}$/;
const CLIENT_KEY_RE = /^[A-Za-z0-9._-]{1,128}$/;

const invalid = (message: string) => storageError('ERR_STORAGE_INVALID', message);

/**
 * Asserts an enrolment or challenge id: 1..128 characters of `[A-Za-z0-9_-]`.
 *
 * @example
 * ```ts
 * assertStorageId(id, 'id');
 * ```
 */
export function assertStorageId(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !ID_RE.test(value)) {
    throw invalid(`"${field}" expected 1..${STORAGE_LIMITS.idLength} characters of [A-Za-z0-9_-]`);
  }
}

/**
 * Asserts a user id: 1..256 UTF-16 code units, well-formed Unicode, no C0 control or DEL.
 *
 * @example
 * ```ts
 * assertUserId('zoë@example.com', 'userId');
 * ```
 */
export function assertUserId(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > STORAGE_LIMITS.userIdLength) {
    throw invalid(`"${field}" expected a string of 1..${STORAGE_LIMITS.userIdLength} characters`);
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw invalid(`"${field}" must not contain control characters`);
  }
  if (!isWellFormed(value)) throw invalid(`"${field}" must be well-formed Unicode`);
}

/**
 * Asserts an audit kind: `^[a-z][a-z0-9_.]{0,63}$`.
 *
 * @example
 * ```ts
 * assertAuditKind('push.suspicious', 'kind');
 * ```
 */
export function assertAuditKind(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !KIND_RE.test(value)) {
    throw invalid(`"${field}" expected ^[a-z][a-z0-9_.]{0,63}$`);
  }
}

/**
 * Asserts a time in ms: a safe integer in `[0, 8.64e15]`.
 *
 * @example
 * ```ts
 * assertTime(input.expiresAt, 'expiresAt');
 * ```
 */
export function assertTime(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > STORAGE_LIMITS.maxTime) {
    throw invalid(`"${field}" expected an integer ms time in [0, ${STORAGE_LIMITS.maxTime}]`);
  }
}

/**
 * Asserts an OTP step or HOTP counter: a safe integer `>= 0`.
 *
 * @example
 * ```ts
 * assertStep(step, 'step');
 * ```
 */
export function assertStep(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`"${field}" expected an integer in [0, ${STORAGE_LIMITS.maxStep}]`);
  }
}

/**
 * Asserts a drift in steps: an integer in `[-100000, 100000]`.
 *
 * @example
 * ```ts
 * assertDrift(-1, 'drift');
 * ```
 */
export function assertDrift(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > STORAGE_LIMITS.maxDrift) {
    throw invalid(`"${field}" expected an integer in [-${STORAGE_LIMITS.maxDrift}, ${STORAGE_LIMITS.maxDrift}]`);
  }
}

/**
 * Resolves an optional list limit: default 100, integer in `[1, 1000]`.
 *
 * @example
 * ```ts
 * const limit = resolveLimit(options?.limit, 'limit');
 * ```
 */
export function resolveLimit(value: unknown, field: string): number {
  if (value === undefined) return STORAGE_LIMITS.defaultLimit;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > STORAGE_LIMITS.maxLimit) {
    throw invalid(`"${field}" expected an integer in [1, ${STORAGE_LIMITS.maxLimit}]`);
  }
  return value;
}

/**
 * Asserts secret bytes: a `Uint8Array` of 1..4096 bytes.
 *
 * @example
 * ```ts
 * assertSecret(input.secret, 'secret');
 * ```
 */
export function assertSecret(value: unknown, field: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < 1 || value.length > STORAGE_LIMITS.secretBytes) {
    throw invalid(`"${field}" expected a Uint8Array of 1..${STORAGE_LIMITS.secretBytes} bytes`);
  }
}

/**
 * Asserts a client secure store key: `^[A-Za-z0-9._-]{1,128}$`.
 *
 * @example
 * ```ts
 * assertClientKey('vault.header', 'key');
 * ```
 */
export function assertClientKey(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !CLIENT_KEY_RE.test(value)) {
    throw invalid(`"${field}" expected 1..${STORAGE_LIMITS.clientKeyLength} characters of [A-Za-z0-9._-]`);
  }
}

/**
 * Asserts a client secure store value: a `Uint8Array` of 0..65536 bytes.
 *
 * @example
 * ```ts
 * assertClientValue(bytes, 'value');
 * ```
 */
export function assertClientValue(value: unknown, field: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length > STORAGE_LIMITS.clientValueBytes) {
    throw invalid(`"${field}" expected a Uint8Array of at most ${STORAGE_LIMITS.clientValueBytes} bytes`);
  }
}

/**
 * Validates a JSON object (plain objects, arrays, finite numbers, booleans, null, well-formed
 * strings without U+0000, depth <= 16) and returns its serialization, which must fit
 * `maxBytes` of UTF-8. Adapters store the returned text.
 *
 * @example
 * ```ts
 * const text = serializeJsonObject(input.meta ?? {}, 'meta', STORAGE_LIMITS.metaBytes);
 * ```
 */
export function serializeJsonObject(value: unknown, field: string, maxBytes: number): string {
  if (!isPlainObject(value)) throw invalid(`"${field}" expected a plain JSON object`);
  checkJson(value, field, 0);
  const text = JSON.stringify(value);
  // Every UTF-16 unit is 1..3 UTF-8 bytes: count bytes only when the bounds do not decide.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8Length(text) > maxBytes)) {
    throw invalid(`"${field}" expected at most ${maxBytes} bytes of JSON`);
  }
  return text;
}

/**
 * Parses JSON object text read back from a store; `ERR_STORAGE_CORRUPT` when it is not one.
 *
 * @example
 * ```ts
 * const meta = parseJsonObject(row.meta, 'meta');
 * ```
 */
export function parseJsonObject(text: unknown, field: string): JsonObject {
  if (typeof text !== 'string') throw storageError('ERR_STORAGE_CORRUPT', `stored "${field}" is not JSON text`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw storageError('ERR_STORAGE_CORRUPT', `stored "${field}" is not valid JSON`);
  }
  if (!isPlainObject(v)) throw storageError('ERR_STORAGE_CORRUPT', `stored "${field}" is not a JSON object`);
  return v as JsonObject;
}

/**
 * A deep copy of a JSON object a store holds in memory, parsed from its own serialization (so
 * only plain objects, arrays and primitives): what the memory store hands out instead of the
 * object it keeps, so that no caller can change stored state through a returned value. Several
 * times cheaper than a JSON round trip.
 *
 * @example
 * ```ts
 * const row = { meta: JSON.parse(serializeJsonObject(input.meta, 'meta', STORAGE_LIMITS.metaBytes)) };
 * const meta = copyJsonObject(row.meta); // the caller's; row.meta stays the store's
 * ```
 */
export function copyJsonObject(value: JsonObject): JsonObject {
  return copyJson(value) as JsonObject;
}

const hasOwn = Object.prototype.hasOwnProperty;
function copyJson(v: JsonValue): JsonValue {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copyJson);
  const o: { [key: string]: JsonValue } = {};
  for (const k in v) {
    if (!hasOwn.call(v, k)) continue;
    const x = v[k]!;
    const c = typeof x === 'object' && x !== null ? copyJson(x) : x;
    // A "__proto__" key (JSON.parse makes it an own property) must not set the prototype.
    if (k === '__proto__') Object.defineProperty(o, k, { value: c, enumerable: true, writable: true, configurable: true });
    else o[k] = c;
  }
  return o;
}

function checkJson(value: unknown, field: string, depth: number): void {
  if (depth > STORAGE_LIMITS.jsonDepth) throw invalid(`"${field}" nests deeper than ${STORAGE_LIMITS.jsonDepth}`);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`"${field}" holds a non-finite number`);
    return;
  }
  if (typeof value === 'string') {
    checkJsonString(value, field);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) checkJson(item, field, depth + 1);
    return;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      checkJsonString(key, field);
      checkJson((value as Record<string, unknown>)[key], field, depth + 1);
    }
    return;
  }
  throw invalid(`"${field}" holds a value that is not JSON`);
}

function checkJsonString(s: string, field: string): void {
  // U+0000 is refused because PostgreSQL text/jsonb cannot hold it.
  if (s.indexOf('\u0000') !== -1) throw invalid(`"${field}" holds a string with U+0000`);
  if (!isWellFormed(s)) throw invalid(`"${field}" holds a string that is not well-formed Unicode`);
}

// UTF-8 length of a well-formed string, without allocating the encoding.
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// String.prototype.isWellFormed is ES2024 and missing on Hermes: check surrogate pairs by hand.
function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * Reads the store clock: floors fractional values; `ERR_STORAGE_INVALID` if it is not a time.
 *
 * @example
 * ```ts
 * const now = readClock(options.clock);
 * ```
 */
export function readClock(clock: () => number): number {
  const t = Math.floor(clock());
  if (!Number.isSafeInteger(t) || t < 0 || t > STORAGE_LIMITS.maxTime) {
    throw invalid('the store clock returned a value that is not a ms time');
  }
  return t;
}
