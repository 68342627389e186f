import { assertBytes } from './assert.js';
import { CloudMfaError } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = /* @__PURE__ */ (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/**
 * Encodes bytes as unpadded base64url (RFC 4648 section 5), as JWS uses.
 *
 * @example
 * ```ts
 * encodeBase64Url(new Uint8Array([251, 255])); // '-_8'
 * ```
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes strict unpadded base64url: padding, `+`/`/`, whitespace, an impossible length or
 * non-zero trailing bits throw `ERR_BASE64URL_INVALID`, so every value has one encoding.
 * The empty string decodes to no bytes. Linear in the input: bound untrusted text's length first.
 *
 * @example
 * ```ts
 * decodeBase64Url('-_8'); // Uint8Array [251, 255]
 * try {
 *   decodeBase64Url('-_8=');
 *   throw new Error('expected ERR_BASE64URL_INVALID');
 * } catch (err) {
 *   if (!isCloudMfaError(err, 'ERR_BASE64URL_INVALID')) throw err; // padding
 * }
 * ```
 */
export function decodeBase64Url(text: string, title = 'input'): Uint8Array {
  if (typeof text !== 'string') throw new CloudMfaError('ERR_BASE64URL_INVALID', `"${title}" expected a base64url string`);
  if (text.length % 4 === 1) throw new CloudMfaError('ERR_BASE64URL_INVALID', `"${title}" has an impossible base64url length`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (LOOKUP[c] as number) : -1;
    if (v < 0) throw new CloudMfaError('ERR_BASE64URL_INVALID', `"${title}" has a character outside base64url at position ${i + 1}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) {
    throw new CloudMfaError('ERR_BASE64URL_INVALID', `"${title}" has non-zero trailing bits`);
  }
  return out;
}
