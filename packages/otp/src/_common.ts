// Internal helpers shared by the public operations: argument checks with stable codes, the
// private key registry, and the typed-code reader. Not exported from the package.
import { CloudMfaError, type CryptoProvider, decodeBase32 } from '@cloudmfa/core';
import { hotpTruncated, type KeyState, prepareKey, truncateBytes } from './_hmac.js';
import type { AlgIndex } from './_sha.js';
import type { OtpAlgorithm, OtpErrorCode, OtpKey, OtpSecret, OtpWarning, OtpWarningCode } from './types.js';

export const MAX_COUNTER = 9007199254740991; // 2^53 - 1
export const MAX_PERIOD = 31536000;
export const MAX_T0 = 1099511627776; // 2^40 s
export const MIN_SECRET_BYTES = 10;
export const RECOMMENDED_SECRET_BYTES = 16;
export const MAX_SECRET_BYTES = 1024;
export const P32 = 4294967296;

export function fail(code: OtpErrorCode, message: string, cause?: unknown): never {
  throw new CloudMfaError(code, message, cause === undefined ? undefined : { cause });
}

export function warning(code: OtpWarningCode, message: string): OtpWarning {
  return { code, message };
}

// Describes a value's type without echoing it: it may be a secret.
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer out of range' : 'non-integer';
  return typeof value;
}

export function checkInt(value: unknown, title: string, min: number, max: number, code: OtpErrorCode): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(code, `"${title}" expected an integer in [${min}, ${max}], got ${typeof value === 'number' && Number.isSafeInteger(value) ? value : kind(value)}`);
  }
  return value;
}

export function algIndex(algorithm: unknown, code: OtpErrorCode = 'ERR_OTP_ALGORITHM'): AlgIndex {
  if (algorithm === 'SHA1') return 0;
  if (algorithm === 'SHA256') return 1;
  if (algorithm === 'SHA512') return 2;
  return fail(code, `"algorithm" expected SHA1, SHA256 or SHA512`);
}

export const ALGORITHMS: readonly OtpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

export function checkDigits(digits: unknown): number {
  return checkInt(digits, 'digits', 6, 10, 'ERR_OTP_DIGITS');
}

export function checkOptions(options: unknown, title = 'options', required = false): void {
  if ((required || options !== undefined) && (typeof options !== 'object' || options === null)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected an object`);
  }
}

/** 10^n for n = 0..10. */
export const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10] as const;

// ---- keys ---------------------------------------------------------------------------------

/** What a key holds, kept in a WeakMap so nothing secret hangs off the public object. */
interface KeyInternals {
  readonly alg: AlgIndex;
  readonly state: KeyState | undefined;
  readonly provider: CryptoProvider | undefined;
  readonly secret: Uint8Array | undefined; // only for the CryptoProvider path
}

const KEYS = new WeakMap<object, KeyInternals>();

export function makeKey(secret: Uint8Array, alg: AlgIndex, warnings: OtpWarning[], provider?: CryptoProvider): OtpKey {
  const internals: KeyInternals = provider
    ? { alg, state: undefined, provider, secret: Uint8Array.from(secret) }
    : { alg, state: prepareKey(alg, secret), provider: undefined, secret: undefined };
  const key: OtpKey = Object.freeze({ algorithm: ALGORITHMS[alg] as OtpAlgorithm, bits: secret.length * 8, warnings: Object.freeze(warnings) });
  KEYS.set(key, internals);
  return key;
}

/** Checks a secret's length policy; returns the warnings (never the secret). */
export function secretPolicy(secret: Uint8Array, code: OtpErrorCode): OtpWarning[] {
  if (secret.length < MIN_SECRET_BYTES) {
    fail(code, `secret is ${secret.length * 8} bits; at least 80 bits are required (128 or more recommended)`);
  }
  if (secret.length > MAX_SECRET_BYTES) {
    fail(code, `secret is ${secret.length} bytes; at most ${MAX_SECRET_BYTES} are accepted`);
  }
  return secret.length < RECOMMENDED_SECRET_BYTES
    ? [warning('SECRET_SHORT', `secret is ${secret.length * 8} bits: accepted for compatibility, but new secrets should have at least 128 bits`)]
    : [];
}

/**
 * The internals for any accepted secret form. An OtpKey must match `algorithm` when one is
 * given; raw secrets get a fresh key (the slow path: set-up on every call).
 */
export function resolveKey(secret: OtpSecret, algorithm: unknown): KeyInternals {
  if (typeof secret === 'object' && secret !== null && !(secret instanceof Uint8Array)) {
    const k = KEYS.get(secret);
    if (!k) return fail('ERR_OTP_SECRET', '"secret" expected an OtpKey from createOtpKey, a Uint8Array or a base32 string');
    if (algorithm !== undefined && algIndex(algorithm) !== k.alg) {
      fail('ERR_OTP_ALGORITHM', `"algorithm" ${String(algorithm)} differs from the key's ${ALGORITHMS[k.alg]}`);
    }
    return k;
  }
  const alg = algIndex(algorithm === undefined ? 'SHA1' : algorithm);
  const bytes = secretBytes(secret, 'ERR_OTP_SECRET');
  secretPolicy(bytes, 'ERR_OTP_SECRET');
  return { alg, state: prepareKey(alg, bytes), provider: undefined, secret: undefined };
}

const DIGEST_LENGTH = [20, 32, 64];

/** RFC 4226 truncated HMAC of `counter` under a key. */
export function truncated(k: KeyInternals, counter: number): number {
  const hi = Math.floor(counter / P32);
  const lo = counter >>> 0;
  if (k.state) return hotpTruncated(k.state, hi, lo);
  const msg = new Uint8Array(8);
  for (let i = 0; i < 4; i++) {
    msg[i] = (hi >>> (24 - 8 * i)) & 0xff;
    msg[4 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
  let mac: Uint8Array;
  try {
    mac = (k.provider as CryptoProvider).hmac(ALGORITHMS[k.alg] as OtpAlgorithm, k.secret as Uint8Array, msg);
  } catch {
    // The provider's error might quote its inputs: deliberately not passed on as a cause.
    return fail('ERR_OTP_CRYPTO', 'the CryptoProvider failed to compute an HMAC');
  }
  if (!(mac instanceof Uint8Array) || mac.length !== DIGEST_LENGTH[k.alg]) {
    fail('ERR_OTP_CRYPTO', `the CryptoProvider returned a malformed ${ALGORITHMS[k.alg]} HMAC`);
  }
  return truncateBytes(mac);
}

// ---- codes --------------------------------------------------------------------------------

export const FORMAT = -1;
export const LENGTH = -2;
const MAX_TYPED = 64;

/**
 * Reads what a user typed: drops ASCII spaces, tabs, CR, LF and '-'; returns the number, or
 * FORMAT (a non-digit, or not a string) or LENGTH (wrong digit count, or absurdly long input).
 * Never throws.
 */
export function readCode(code: unknown, digits: number): number {
  if (typeof code !== 'string') return FORMAT;
  if (code.length > MAX_TYPED) return LENGTH;
  let count = 0;
  let value = 0;
  let bad = false;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 0x20 || c === 0x2d || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c >= 0x30 && c <= 0x39) {
      if (++count <= 10) value = value * 10 + (c - 0x30);
    } else bad = true;
  }
  if (bad) return FORMAT;
  return count === digits ? value : LENGTH;
}

/**
 * 1 when two codes (integers below 10^10) are equal, else 0, without a data-dependent branch:
 * both are split into 5-digit halves (each < 2^17) that are XOR-compared.
 */
export function sameCode(a: number, b: number): number {
  const d = ((a % 100000) ^ (b % 100000)) | (Math.floor(a / 100000) ^ Math.floor(b / 100000));
  return ((d - 1) >>> 31) & 1;
}

export function reasonOf(typed: number): 'format' | 'length' {
  return typed === FORMAT ? 'format' : 'length';
}

// ---- time ---------------------------------------------------------------------------------

export interface Timing {
  period: number;
  t0: number;
}

export function checkTiming(period: unknown, t0: unknown): Timing {
  return {
    period: checkInt(period, 'period', 1, MAX_PERIOD, 'ERR_OTP_PERIOD'),
    t0: checkInt(t0, 't0', -MAX_T0, MAX_T0, 'ERR_OTP_T0'),
  };
}

/** Milliseconds since T0 from the injected clock; throws ERR_OTP_TIME for a broken clock. */
export function elapsedMs(now: unknown, t0: number): number {
  if (typeof now !== 'function') return fail('ERR_OTP_TIME', '"now" expected a clock function returning milliseconds');
  const ms = (now as () => unknown)();
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > MAX_T0 * 1000) {
    return fail('ERR_OTP_TIME', 'the clock returned a value that is not a finite time in milliseconds');
  }
  const elapsed = ms - t0 * 1000;
  if (elapsed < 0) return fail('ERR_OTP_TIME', 'the clock is before t0');
  return elapsed;
}

// ---- secrets ------------------------------------------------------------------------------

/**
 * Bytes of a secret given as bytes or base32 (forgiving about case, spaces and padding; core's
 * ERR_BASE32_INVALID names anything else). `code` is used for a wrong type or absurd length.
 */
export function secretBytes(secret: unknown, code: OtpErrorCode): Uint8Array {
  if (secret instanceof Uint8Array) return secret;
  if (typeof secret !== 'string') return fail(code, '"secret" expected a Uint8Array or a base32 string');
  // Cap the work before decoding: 1024 bytes are ~1640 base32 characters plus some spacing.
  if (secret.length > 4 * MAX_SECRET_BYTES) return fail(code, `"secret" is longer than ${4 * MAX_SECRET_BYTES} characters`);
  return decodeBase32(secret, 'secret');
}
