import { secretBytes, secretPolicy } from './_common.js';
import type { OtpWarning } from './types.js';

/**
 * Checks and decodes an OTP secret given as bytes or base32, applying the secret policy:
 * fewer than 80 bits throws `ERR_OTP_SECRET`; 80 to 127 bits (legacy secrets, e.g. Microsoft
 * 365's) are accepted with a `SECRET_SHORT` warning; more than 1024 bytes throws
 * `ERR_OTP_SECRET`. Base32 is forgiving about case, spaces and missing padding and strict about
 * everything else (`ERR_BASE32_INVALID`, whose message names the problem and its position,
 * never the secret).
 *
 * @returns a copy of the secret's bytes and the warnings.
 * @example
 * ```ts
 * const { secret, warnings } = parseSecret('jbsw y3dp ehpk 3pxp'); // 10 bytes, [SECRET_SHORT]
 * try {
 *   parseSecret('JBSW1');
 *   throw new Error('expected ERR_BASE32_INVALID');
 * } catch (err) {
 *   if (!isCloudMfaError(err, 'ERR_BASE32_INVALID')) throw err; // '"secret" has a character outside the base32 alphabet at position 5'
 * }
 * ```
 */
export function parseSecret(secret: Uint8Array | string): { secret: Uint8Array; warnings: OtpWarning[] } {
  const bytes = Uint8Array.from(secretBytes(secret, 'ERR_OTP_SECRET'));
  return { secret: bytes, warnings: secretPolicy(bytes, 'ERR_OTP_SECRET') };
}
