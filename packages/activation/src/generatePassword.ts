import { CloudMfaError, type RandomSource, systemRandom } from '@cloudmfa/core';

/** Crockford's base32 alphabet: no I, L, O, U. 32 symbols, 5 bits each. */
export const PASSWORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A fresh envelope password: `groups` groups of `groupLength` symbols from
 * {@link PASSWORD_ALPHABET}, joined with `-` for reading aloud. The default 3 x 4 carries
 * 60 bits; settings below 50 bits are refused (`ERR_INVALID_ARGUMENT`).
 * Show it to the user once and never log it.
 *
 * @example
 * ```ts
 * const password = generatePassword(); // e.g. '7KQ2-M9XD-4HRP'
 * ```
 */
export function generatePassword(options: { random?: RandomSource; groups?: number; groupLength?: number } = {}): string {
  const { random = systemRandom, groups = 3, groupLength = 4 } = options;
  if (!Number.isSafeInteger(groups) || !Number.isSafeInteger(groupLength) || groups < 1 || groupLength < 1 || groups * groupLength > 64) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"groups" and "groupLength" expected positive integers with at most 64 symbols in all');
  }
  if (groups * groupLength * 5 < 50) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `a password of ${groups * groupLength} symbols carries less than 50 bits`);
  }
  const bytes = random(groups * groupLength);
  if (!(bytes instanceof Uint8Array) || bytes.length !== groups * groupLength) {
    throw new CloudMfaError('ERR_NO_RANDOM_SOURCE', 'random source returned the wrong number of bytes');
  }
  const parts: string[] = [];
  for (let g = 0; g < groups; g++) {
    let part = '';
    // 256 is a multiple of 32, so `& 31` is uniform: no rejection sampling needed.
    for (let i = 0; i < groupLength; i++) part += PASSWORD_ALPHABET[(bytes[g * groupLength + i] as number) & 31];
    parts.push(part);
  }
  bytes.fill(0);
  return parts.join('-');
}
