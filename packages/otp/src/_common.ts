// Internal helpers shared by the public operations: argument checks with stable codes, the
// private key registry, and the typed-code reader. Not exported from the package.
import { type Clock, CloudMfaError, decodeBase32, systemClock } from '@cloudmfa/core';
import { hotpTruncated, type KeyState, ONE_SHOT, prepareKey } from './_hmac.js';
import type { AlgIndex } from '@cloudmfa/core/sha';
import type { OtpAlgorithm, OtpErrorCode, OtpKey, OtpSecret, OtpWarning, OtpWarningCode } from './types.js';

export const MAX_COUNTER = 9007199254740991; // 2^53 - 1
export const MAX_PERIOD = 31536000;
const MAX_T0 = 1099511627776; // 2^40 s
export const MAX_SECRET_BYTES = 1024;
export const P32 = 4294967296;

export function fail(code: OtpErrorCode, message: string, cause?: unknown): never {
  throw new CloudMfaError(code, message, cause === undefined ? undefined : { cause });
}

/** Adds the warning `code` to `list` once. Messages are short and never quote input. */
export function warn(list: OtpWarning[], code: OtpWarningCode, message: string): void {
  if (!list.some((w) => w.code === code)) list.push({ code, message });
}

/** `value` if it is a safe integer in [min, max]; otherwise throws `code` (never echoing it). */
export function checkInt(value: unknown, title: string, min: number, max: number, code: OtpErrorCode): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(code, `"${title}" expected an integer in [${min}, ${max}]`);
  }
  return value;
}

export const ALGORITHMS: readonly OtpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

export function algIndex(algorithm: unknown, code: OtpErrorCode = 'ERR_OTP_ALGORITHM'): AlgIndex {
  const i = ALGORITHMS.indexOf(algorithm as OtpAlgorithm);
  return i < 0 ? fail(code, '"algorithm" expected SHA1, SHA256 or SHA512') : (i as AlgIndex);
}

export const checkDigits = (digits: unknown): number => checkInt(digits, 'digits', 6, 10, 'ERR_OTP_DIGITS');

export function checkOptions(options: unknown, title = 'options', required = false): void {
  if ((required || options !== undefined) && (typeof options !== 'object' || options === null)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected an object`);
  }
}

// ---- secrets and keys ---------------------------------------------------------------------

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

/** Checks a secret's length policy; adds its warnings to `warnings` and returns them (never the secret). */
export function secretPolicy(secret: Uint8Array, code: OtpErrorCode, warnings: OtpWarning[] = []): OtpWarning[] {
  const bits = secret.length * 8;
  if (bits < 80) fail(code, `secret is ${bits} bits; at least 80 are required`);
  if (secret.length > MAX_SECRET_BYTES) fail(code, `secret is over ${MAX_SECRET_BYTES} bytes`);
  if (bits < 128) warn(warnings, 'SECRET_SHORT', 'secret under 128 bits (legacy)');
  return warnings;
}

/**
 * What a key holds, kept in a WeakMap so nothing secret hangs off the public object: the
 * precomputed HMAC states, or (createOtpKey's `crypto` option) a function that computes the
 * truncated HMAC of a counter with a CryptoProvider. That function is built in createOtpKey.ts,
 * so bundles that never create a key with a provider do not carry the provider path.
 */
type KeyInternals = KeyState | { readonly alg: AlgIndex; readonly mac: (hi: number, lo: number) => number };

const KEYS = new WeakMap<object, KeyInternals>();

export function makeKey(secret: Uint8Array, alg: AlgIndex, warnings: OtpWarning[], mac?: (hi: number, lo: number) => number): OtpKey {
  const key: OtpKey = Object.freeze({ algorithm: ALGORITHMS[alg] as OtpAlgorithm, bits: secret.length * 8, warnings: Object.freeze(warnings) });
  KEYS.set(key, mac ? { alg, mac } : prepareKey(alg, secret));
  return key;
}

/**
 * The internals for an OtpKey (which must match `algorithm` when one is given) or raw bytes
 * (the slow path: a key set-up on every call). **Pass raw-bytes internals to `release` before
 * returning**: they are shared per algorithm and as good as the secret.
 */
export function resolveKey(secret: OtpSecret, algorithm: unknown): KeyInternals {
  if (secret instanceof Uint8Array) {
    const alg = algIndex(algorithm ?? 'SHA1');
    secretPolicy(secret, 'ERR_OTP_SECRET');
    // The path verifyOtp and most callers take: the states go into this algorithm's one-shot
    // slot, no typed array is allocated. So callers read every option (getters included) before
    // this call, call nothing of the caller's while they use the result, and then release it.
    return prepareKey(alg, secret, ONE_SHOT[alg]);
  }
  const k = typeof secret === 'object' && secret !== null ? KEYS.get(secret) : undefined;
  if (!k) return fail('ERR_OTP_SECRET', '"secret" expected an OtpKey or a Uint8Array (for base32, use createOtpKey)');
  if (algorithm !== undefined && algIndex(algorithm) !== k.alg) fail('ERR_OTP_ALGORITHM', '"algorithm" differs from the key\'s');
  return k;
}

/** Wipes the one-shot states behind raw-bytes internals (a no-op for an OtpKey's). */
export function release(k: KeyInternals): void {
  const s = ONE_SHOT[k.alg] as KeyState;
  for (let j = 0; k === s && j < s.inner.length; j++) s.inner[j] = s.outer[j] = 0;
}

/** RFC 4226 truncated HMAC of `counter` under a key. */
function truncated(k: KeyInternals, counter: number): number {
  const hi = Math.floor(counter / P32);
  const lo = counter >>> 0;
  return 'mac' in k ? k.mac(hi, lo) : hotpTruncated(k, hi, lo);
}

/** The code at `counter` as a number below 10^digits. */
export const codeAt = (k: KeyInternals, counter: number, digits: number): number => truncated(k, counter) % (POW10[digits] as number);

/** 10^n for n = 0..10. */
const POW10: number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

export function codeString(value: number, digits: number): string {
  let s = `${value}`;
  while (s.length < digits) s = `0${s}`;
  return s;
}

// ---- what the user typed ------------------------------------------------------------------

const FORMAT = -1;
const LENGTH = -2;

/**
 * Reads what a user typed: drops ASCII spaces, tabs, CR, LF and '-'; returns the number, or
 * FORMAT (a non-digit, or not a string) or LENGTH (wrong digit count, or over 64 characters).
 * Never throws.
 */
export function readCode(code: unknown, digits: number): number {
  if (typeof code !== 'string') return FORMAT;
  if (code.length > 64) return LENGTH;
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
  return bad ? FORMAT : count === digits ? value : LENGTH;
}

export const reasonOf = (typed: number): 'format' | 'length' => (typed === FORMAT ? 'format' : 'length');

/**
 * Whether two codes (integers below 10^10) are equal, without a data-dependent branch: both
 * are split into 5-digit halves (each below 2^17) that are XOR-compared.
 */
export function sameCode(a: number, b: number): boolean {
  return (((a % 100000) ^ (b % 100000)) | (Math.floor(a / 100000) ^ Math.floor(b / 100000))) === 0;
}

// ---- time ---------------------------------------------------------------------------------

export const checkPeriod = (period: unknown): number => checkInt(period, 'period', 1, MAX_PERIOD, 'ERR_OTP_PERIOD');
export const checkT0 = (t0: unknown): number => checkInt(t0, 't0', -MAX_T0, MAX_T0, 'ERR_OTP_T0');

/** Milliseconds since T0 from the injected clock; throws ERR_OTP_TIME for a broken clock. */
export function elapsedMs(now: () => number, t0: number): number {
  const v: unknown = typeof now === 'function' ? now() : NaN;
  const ms = typeof v === 'number' ? v : NaN;
  const elapsed = ms - t0 * 1000;
  // Also refuses NaN, infinities and non-numbers (the comparisons are false for them).
  if (!(elapsed >= 0 && ms <= MAX_T0 * 1000)) fail('ERR_OTP_TIME', '"now" must return finite milliseconds at or after t0');
  return elapsed;
}

/** The TOTP step at the injected clock's time (totp and verifyTotp): checks `period`, `t0` and the clock. */
export function currentStep(options: { now?: Clock; period?: number; t0?: number }): number {
  const period = checkPeriod(options.period ?? 30);
  return Math.floor(elapsedMs(options.now ?? systemClock, checkT0(options.t0 ?? 0)) / (period * 1000));
}
