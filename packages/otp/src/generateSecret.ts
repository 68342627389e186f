import { checkedRandom, type RandomSource, systemRandom } from '@cloudmfa/core';
import { checkInt, checkOptions, MAX_SECRET_BYTES } from './_common.js';

/**
 * Generates a new OTP secret from a cryptographically secure random source: 20 bytes (160
 * bits, RFC 4226's recommendation) by default, never fewer than 16 bytes (128 bits).
 *
 * @param options.bytes - secret length, 16..1024 (`ERR_OTP_SECRET` otherwise).
 * @param options.random - the CSPRNG (default `systemRandom`: `crypto.getRandomValues`; it throws
 *   `ERR_NO_RANDOM_SOURCE` where there is none, e.g. Hermes: inject the host's, such as
 *   expo-crypto's `getRandomBytes`).
 * @example
 * ```ts
 * const secret = generateSecret(); // Uint8Array(20)
 * const base32 = encodeBase32(secret); // for the otpauth URI
 * ```
 */
export function generateSecret(options: { bytes?: number; random?: RandomSource } = {}): Uint8Array {
  checkOptions(options);
  const bytes = checkInt(options.bytes ?? 20, 'bytes', 16, MAX_SECRET_BYTES, 'ERR_OTP_SECRET');
  return checkedRandom(options.random ?? systemRandom)(bytes);
}
