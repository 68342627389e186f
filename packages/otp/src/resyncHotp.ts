import {
  checkDigits,
  checkInt,
  checkOptions,
  fail,
  MAX_COUNTER,
  POW10,
  readCode,
  reasonOf,
  resolveKey,
  sameCode,
  truncated,
} from './_common.js';
import type { HotpVerifyResult, OtpAlgorithm, OtpSecret } from './types.js';

/** Largest resynchronisation look-ahead. */
const MAX_RESYNC_LOOK_AHEAD = 10000;

/**
 * Resynchronises an HOTP token that drifted beyond the normal look-ahead (RFC 4226 section
 * 7.4): the user types 2 to 4 **consecutive** codes, and the first position within
 * `counter .. counter + lookAhead` where all of them match in sequence is found. Each counter's
 * HMAC is computed once and the whole range is always computed.
 *
 * **Never throws on the typed codes** (`format`, `length`, `mismatch`); throws `ERR_OTP_CODES`
 * when `codes` is not an array of 2 to 4 entries, `ERR_OTP_WINDOW` for a look-ahead outside
 * 1..10,000.
 *
 * @returns on success `counter` is the counter of the **last** code (store `counter + 1`) and
 *   `delta` how far the first code was past the expected counter.
 * @example
 * ```ts
 * const r = resyncHotp({ secret: key, codes: [first, second], counter: token.counter });
 * if (r.valid) token.counter = r.counter + 1;
 * ```
 */
export function resyncHotp(options: {
  secret: OtpSecret;
  codes: readonly string[];
  counter: number;
  lookAhead?: number;
  digits?: number;
  algorithm?: OtpAlgorithm;
}): HotpVerifyResult {
  checkOptions(options, 'options', true);
  const digits = checkDigits(options.digits ?? 6);
  const counter = checkInt(options.counter, 'counter', 0, MAX_COUNTER, 'ERR_OTP_COUNTER');
  const lookAhead = checkInt(options.lookAhead ?? 1000, 'lookAhead', 1, MAX_RESYNC_LOOK_AHEAD, 'ERR_OTP_WINDOW');
  const codes = options.codes;
  if (!Array.isArray(codes) || codes.length < 2 || codes.length > 4) {
    fail('ERR_OTP_CODES', '"codes" expected an array of 2 to 4 consecutive codes');
  }
  const key = resolveKey(options.secret, options.algorithm);

  const n = codes.length;
  const typed: number[] = [];
  for (let j = 0; j < n; j++) {
    const t = readCode(codes[j], digits);
    if (t < 0) return { valid: false, reason: reasonOf(t) };
    typed.push(t);
  }

  const mod = POW10[digits] as number;
  // Sequence start positions p = 0..positions-1 (counter + p); ok[p] stays 1 while all match.
  const positions = Math.max(0, Math.min(lookAhead, MAX_COUNTER - (n - 1) - counter) + 1);
  const ok = new Uint8Array(positions).fill(1);
  const last = counter + positions - 1 + (n - 1);
  for (let c = counter; c <= last; c++) {
    const v = truncated(key, c) % mod;
    const q = c - counter;
    for (let j = 0; j < n; j++) {
      const p = q - j;
      if (p >= 0 && p < positions) ok[p] = (ok[p] as number) & sameCode(v, typed[j] as number);
    }
  }
  for (let p = 0; p < positions; p++) {
    if (ok[p]) return { valid: true, delta: p, counter: counter + p + n - 1 };
  }
  return { valid: false, reason: 'mismatch' };
}
