import { checkDigits, checkInt, checkOptions, codeAt, fail, MAX_COUNTER, readCode, reasonOf, release, resolveKey, sameCode } from './_common.js';
import type { HotpVerifyResult, OtpAlgorithm, OtpSecret } from './types.js';

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
 * @param options.secret - an `OtpKey` from `createOtpKey` (fastest) or raw bytes.
 * @param options.lookAhead - default 1000.
 * @returns on success `counter` is the counter of the **last** code (store `counter + 1`) and
 *   `delta` how far the first code was past the expected counter.
 * @example
 * ```ts
 * const r = resyncHotp({ secret: key, codes: [first, second], counter: token.counter });
 * if (r.ok) token.counter = r.counter + 1;
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
  // The same checks as verifyHotp's, written out on purpose: a shared helper measured +71 B
  // (gzip) on the whole entry, which puts it over its 8 KB budget (docs/benchmarks.md).
  checkOptions(options, 'options', true);
  const digits = checkDigits(options.digits ?? 6);
  const counter = checkInt(options.counter, 'counter', 0, MAX_COUNTER, 'ERR_OTP_COUNTER');
  const lookAhead = checkInt(options.lookAhead ?? 1000, 'lookAhead', 1, 10000, 'ERR_OTP_WINDOW');
  const codes: unknown = options.codes;
  if (!Array.isArray(codes) || codes.length < 2 || codes.length > 4) fail('ERR_OTP_CODES', '"codes" expected 2 to 4 consecutive codes');
  const n = codes.length;
  const typed = codes.map((c) => readCode(c, digits));
  const key = resolveKey(options.secret, options.algorithm);
  const bad = typed.find((t) => t < 0);
  if (bad !== undefined) {
    release(key);
    return { ok: false, reason: reasonOf(bad) };
  }

  // Start positions p (counter + p); ok[p] stays 1 while every code matches in sequence.
  const positions = Math.max(0, Math.min(lookAhead, MAX_COUNTER - (n - 1) - counter) + 1);
  const ok = new Uint8Array(positions).fill(1);
  for (let q = 0; q < positions + n - 1; q++) {
    const v = codeAt(key, counter + q, digits);
    for (let j = 0; j < n; j++) {
      const p = q - j;
      if (p >= 0 && p < positions && !sameCode(v, typed[j] as number)) ok[p] = 0;
    }
  }
  release(key);
  const p = ok.indexOf(1);
  return p < 0 ? { ok: false, reason: 'mismatch' } : { ok: true, delta: p, counter: counter + p + n - 1 };
}
