import { checkDigits, checkInt, checkOptions, codeAt, codeString, MAX_COUNTER, resolveKey } from './_common.js';
import type { OtpAlgorithm, OtpSecret } from './types.js';

/**
 * The HOTP code (RFC 4226) for `counter`: a string of `digits` ASCII digits.
 *
 * @param secret - an `OtpKey` from `createOtpKey` (fastest; also the way to use base32) or raw bytes.
 * @param counter - integer 0..2^53-1 (`ERR_OTP_COUNTER`); no BigInt needed.
 * @param options.digits - 6..10, default 6 (`ERR_OTP_DIGITS`).
 * @param options.algorithm - default SHA1, or the key's own (`ERR_OTP_ALGORITHM` on a mismatch).
 * @example
 * ```ts
 * hotp(utf8Encode('12345678901234567890'), 0); // '755224' (RFC 4226 Appendix D)
 * ```
 */
export function hotp(secret: OtpSecret, counter: number, options: { digits?: number; algorithm?: OtpAlgorithm } = {}): string {
  checkOptions(options);
  const digits = checkDigits(options.digits ?? 6);
  checkInt(counter, 'counter', 0, MAX_COUNTER, 'ERR_OTP_COUNTER');
  return codeString(codeAt(resolveKey(secret, options.algorithm), counter, digits), digits);
}
