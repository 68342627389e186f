import {
  checkDigits,
  checkInt,
  checkOptions,
  MAX_COUNTER,
  POW10,
  readCode,
  reasonOf,
  resolveKey,
  sameCode,
  truncated,
} from './_common.js';
import type { HotpVerifyResult, OtpAlgorithm, OtpSecret } from './types.js';

/** Largest HOTP look-ahead. */
const MAX_LOOK_AHEAD = 1000;

/**
 * Verifies an HOTP code a user typed against counters `counter .. counter + lookAhead` (never
 * behind: earlier counters are used up). **Never throws on `code`**: spaces and dashes are
 * ignored; a non-digit is `format`, a wrong digit count `length`, no match `mismatch`. Every
 * counter in the window is computed and compared in constant time; the lowest match wins.
 *
 * **On success store `counter + 1` as the next expected counter**, or the code can be replayed.
 * When the token has drifted beyond the look-ahead, use {@link resyncHotp}.
 *
 * @param options.counter - the next expected counter, 0..2^53-1 (`ERR_OTP_COUNTER`).
 * @param options.lookAhead - extra counters accepted after `counter`, 0..1000, default 10
 *   (`ERR_OTP_WINDOW`).
 * @example
 * ```ts
 * const r = verifyHotp({ secret: key, code: typed, counter: token.counter });
 * if (r.valid) token.counter = r.counter + 1;
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
  const lookAhead = checkInt(options.lookAhead ?? 10, 'lookAhead', 0, MAX_LOOK_AHEAD, 'ERR_OTP_WINDOW');
  const key = resolveKey(options.secret, options.algorithm);

  const typed = readCode(options.code, digits);
  if (typed < 0) return { valid: false, reason: reasonOf(typed) };

  const mod = POW10[digits] as number;
  const end = Math.min(counter + lookAhead, MAX_COUNTER);
  let found = 0;
  let at = 0;
  for (let c = counter; c <= end; c++) {
    const hit = sameCode(truncated(key, c) % mod, typed);
    if (hit & (found ^ 1)) at = c;
    found |= hit;
  }
  return found ? { valid: true, delta: at - counter, counter: at } : { valid: false, reason: 'mismatch' };
}
