import { assertBytes } from './assert.js';
import { CloudMfaError } from './errors.js';

/**
 * The RFC 9285 alphabet: exactly the QR code alphanumeric-mode character set.
 *
 * @example
 * ```ts
 * BASE45_ALPHABET.length; // 45
 * ```
 */
export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/**
 * Encodes bytes as base45 (RFC 9285), the densest text that stays in QR alphanumeric mode.
 *
 * @example
 * ```ts
 * encodeBase45(utf8Encode('AB')); // 'BB8'
 * encodeBase45(utf8Encode('Hello!!')); // '%69 VD92EX0'
 * ```
 */
export function encodeBase45(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 1 < bytes.length; i += 2) {
    let n = (bytes[i] as number) * 256 + (bytes[i + 1] as number);
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += BASE45_ALPHABET[c]! + BASE45_ALPHABET[d]! + BASE45_ALPHABET[e]!;
  }
  if (i < bytes.length) {
    const n = bytes[i] as number;
    out += BASE45_ALPHABET[n % 45]! + BASE45_ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}

/**
 * Decodes base45 (RFC 9285). A character outside the alphabet (lowercase included), a length
 * of 1 mod 3, or a group whose value overflows (a triplet above 65535, a final pair above 255,
 * RFC 9285 section 4.2) throws `ERR_BASE45_INVALID`. Every value has one encoding. Linear in
 * the input: bound untrusted text's length first.
 *
 * @example
 * ```ts
 * decodeBase45('BB8'); // the bytes of 'AB'
 * try {
 *   decodeBase45('GGW');
 *   throw new Error('expected ERR_BASE45_INVALID');
 * } catch (err) {
 *   if (!isCloudMfaError(err, 'ERR_BASE45_INVALID')) throw err; // 65536 does not fit two bytes
 * }
 * ```
 */
export function decodeBase45(text: string, title = 'input'): Uint8Array {
  if (typeof text !== 'string') throw new CloudMfaError('ERR_BASE45_INVALID', `"${title}" expected a base45 string`);
  if (text.length % 3 === 1) throw new CloudMfaError('ERR_BASE45_INVALID', `"${title}" has an impossible base45 length (${text.length})`);
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  const value = (i: number): number => {
    const v = BASE45_ALPHABET.indexOf(text[i] as string);
    if (v < 0) throw new CloudMfaError('ERR_BASE45_INVALID', `"${title}" has a character outside base45 at position ${i + 1}`);
    return v;
  };
  let o = 0;
  let i = 0;
  for (; i + 2 < text.length; i += 3) {
    const n = value(i) + value(i + 1) * 45 + value(i + 2) * 2025;
    if (n > 0xffff) throw new CloudMfaError('ERR_BASE45_INVALID', `"${title}" has an out-of-range group at position ${i + 1}`);
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (i < text.length) {
    const n = value(i) + value(i + 1) * 45;
    if (n > 0xff) throw new CloudMfaError('ERR_BASE45_INVALID', `"${title}" has an out-of-range group at position ${i + 1}`);
    out[o++] = n;
  }
  return out;
}
