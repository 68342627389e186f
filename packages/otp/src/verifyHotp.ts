import { checkDigits, checkInt, checkOptions, codeAt, MAX_COUNTER, readCode, reasonOf, release, resolveKey, sameCode } from './_common.js';
import type { HotpVerifyResult, OtpAlgorithm, OtpSecret } from './types.js';

/**
 * Verifies an HOTP code a user typed against counters `counter .. counter + lookAhead` (never
 * behind: earlier counters are used up). **Never throws on `code`**: spaces and dashes are
 * ignored; a non-digit is `format`, a wrong digit count `length`, no match `mismatch`. Counters
 * are tried lowest first and each comparison is constant time: the time taken depends on the
 * look-ahead and the result only.
 *
 * **On success store `counter + 1` as the next expected counter**, or the code can be replayed.
 * When the token has drifted beyond the look-ahead, use {@link resyncHotp}.
 *
 * @param options.secret - an `OtpKey` from `createOtpKey` (fastest) or raw bytes.
 * @param options.counter - the next expected counter, 0..2^53-1 (`ERR_OTP_COUNTER`).
 * @param options.lookAhead - extra counters accepted after `counter`, 0..1000, default 10
 *   (`ERR_OTP_WINDOW`).
 * @example
 * ```ts
 * const r = verifyHotp({ secret: key, code: typed, counter: token.counter });
 * if (r.ok) token.counter = r.counter + 1;
 * ```
 */
export function verifyHotp(options: {
  secret: OtpSecret;
  code: string;
  counter: number;
  lookAhead?: number;
  digits?: number;
  algorithm?: OtpAlgorithm;
}): HotpVerifyResult {
  checkOptions(options, 'options', true);
  const digits = checkDigits(options.digits ?? 6);
  const counter = checkInt(options.counter, 'counter', 0, MAX_COUNTER, 'ERR_OTP_COUNTER');
  const lookAhead = checkInt(options.lookAhead ?? 10, 'lookAhead', 0, 1000, 'ERR_OTP_WINDOW');
  // Read before the key: a raw-bytes key lives in a shared slot until this call returns.
  const typed = readCode(options.code, digits);
  const key = resolveKey(options.secret, options.algorithm);
  const end = Math.min(counter + lookAhead, MAX_COUNTER);
  let c = counter;
  while (typed >= 0 && c <= end && !sameCode(codeAt(key, c, digits), typed)) c++;
  release(key);
  if (typed < 0) return { ok: false, reason: reasonOf(typed) };
  return c <= end ? { ok: true, delta: c - counter, counter: c } : { ok: false, reason: 'mismatch' };
}
