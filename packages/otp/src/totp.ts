import type { Clock } from '@cloudmfa/core';
import { checkDigits, checkOptions, codeAt, codeString, currentStep, release, resolveKey } from './_common.js';
import type { OtpAlgorithm, OtpSecret } from './types.js';

/**
 * The one argument of `totp`.
 *
 * @example
 * ```ts
 * const options: TotpOptions = { secret: createOtpKey({ secret: seed }), now: () => Date.now() };
 * ```
 */
export interface TotpOptions {
  secret: OtpSecret;
  now?: Clock;
  period?: number;
  t0?: number;
  digits?: number;
  algorithm?: OtpAlgorithm;
}

/**
 * The TOTP code (RFC 6238) at the injected clock's time: HOTP of
 * `floor((now - t0) / period)`.
 *
 * @param options.secret - an `OtpKey` from `createOtpKey` (fastest; also the way to use base32) or raw bytes.
 * @param options.now - clock in milliseconds (default `systemClock`); `ERR_OTP_TIME` if it is
 *   not finite or before `t0`.
 * @param options.period - seconds per step, 1..31,536,000, default 30 (`ERR_OTP_PERIOD`).
 * @param options.t0 - Unix seconds of step 0, default 0 (`ERR_OTP_T0`).
 * @param options.digits - 6..10, default 6 (`ERR_OTP_DIGITS`).
 * @param options.algorithm - default SHA1, or the key's own (`ERR_OTP_ALGORITHM` on a mismatch).
 * @example
 * ```ts
 * const key = createOtpKey({ secret: utf8Encode('12345678901234567890') });
 * totp({ secret: key, now: () => 59_000, digits: 8 }); // '94287082' (RFC 6238 Appendix B)
 * ```
 */
export function totp(options: TotpOptions): string {
  checkOptions(options, 'options', true);
  const { secret, digits = 6, algorithm } = options;
  const checkedDigits = checkDigits(digits);
  const step = currentStep(options);
  const key = resolveKey(secret, algorithm);
  const code = codeAt(key, step, checkedDigits);
  release(key);
  return codeString(code, checkedDigits);
}
