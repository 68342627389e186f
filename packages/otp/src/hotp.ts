import { checkDigits, checkInt, checkOptions, codeAt, codeString, MAX_COUNTER, release, resolveKey } from './_common.js';
import type { OtpAlgorithm, OtpSecret } from './types.js';

/**
 * The one argument of `hotp`.
 *
 * @example
 * ```ts
 * const options: HotpOptions = { secret: createOtpKey({ secret: seed }), counter: 7 };
 * ```
 */
export interface HotpOptions {
  secret: OtpSecret;
  counter: number;
  digits?: number;
  algorithm?: OtpAlgorithm;
}

/**
 * The HOTP code (RFC 4226) for `counter`: a string of `digits` ASCII digits.
 *
 * @param options.secret - an `OtpKey` from `createOtpKey` (fastest; also the way to use base32) or raw bytes.
 * @param options.counter - integer 0..2^53-1 (`ERR_OTP_COUNTER`); no BigInt needed.
 * @param options.digits - 6..10, default 6 (`ERR_OTP_DIGITS`).
 * @param options.algorithm - default SHA1, or the key's own (`ERR_OTP_ALGORITHM` on a mismatch).
 * @example
 * ```ts
 * hotp({ secret: utf8Encode('12345678901234567890'), counter: 0 }); // '755224' (RFC 4226 Appendix D)
 * ```
 */
export function hotp(options: HotpOptions): string {
  checkOptions(options, 'options', true);
  const { secret, counter, digits = 6, algorithm } = options;
  const checkedDigits = checkDigits(digits);
  checkInt(counter, 'counter', 0, MAX_COUNTER, 'ERR_OTP_COUNTER');
  const key = resolveKey(secret, algorithm);
  const code = codeAt(key, counter, checkedDigits);
  release(key);
  return codeString(code, checkedDigits);
}
