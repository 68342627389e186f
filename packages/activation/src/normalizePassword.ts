import { CloudMfaError } from '@cloudmfa/core';

// Separators people type or that apps insert when copying: ASCII space/tab/hyphen/underscore,
// other whitespace, and the Unicode dashes U+2010..U+2015 and minus U+2212.
const SEPARATORS = /[\s\-_\u2010-\u2015\u2212]/g;

/**
 * Normalises a password exactly as both sides do before the KDF: ASCII letters upper-cased;
 * whitespace, hyphens, underscores and Unicode dashes removed; `O` read as `0`, `I` and `L`
 * as `1` (Crockford's rules, so the generated alphabet is forgiving to read and type).
 * Applied to caller-chosen passwords too, on both sides, so they still match.
 *
 * @example
 * ```ts
 * normalizePassword('7kq2 m9xd-4hrp'); // '7KQ2M9XD4HRP'
 * normalizePassword('O1l-I');           // '0111'
 * ```
 */
export function normalizePassword(password: string): string {
  if (typeof password !== 'string') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"password" expected a string');
  }
  let out = '';
  const stripped = password.replace(SEPARATORS, '');
  for (let i = 0; i < stripped.length; i++) {
    let c = stripped[i] as string;
    const code = c.charCodeAt(0);
    if (code >= 0x61 && code <= 0x7a) c = String.fromCharCode(code - 32);
    if (c === 'O') c = '0';
    else if (c === 'I' || c === 'L') c = '1';
    out += c;
  }
  return out;
}
