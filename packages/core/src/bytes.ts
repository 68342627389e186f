import { assertBytes, assertString } from './assert.js';
import { CloudMfaError } from './errors.js';

/**
 * Compares two byte arrays in time that depends only on their lengths, not their contents.
 * Arrays of different lengths are unequal (the length is not treated as secret). A non-byte
 * argument throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * if (!constantTimeEqual(expectedMac, receivedMac)) reject();
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Compares two strings in time that depends only on their lengths (in UTF-16 code units).
 * Strings of different lengths are unequal. A non-string argument throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * constantTimeEqualString(typedNumber, expectedNumber);
 * ```
 */
export function constantTimeEqualString(a: string, b: string): boolean {
  assertString(a, 'a');
  assertString(b, 'b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Concatenates byte arrays into a new one. A non-byte part throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const aad = concatBytes(header, nonce);
 * ```
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    assertBytes(p, `parts[${i}]`);
    length += p.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Encodes a string as UTF-8, exactly as `TextEncoder` does (lone surrogates become U+FFFD).
 * Implemented here because Hermes (React Native) has no `TextEncoder` in older releases.
 *
 * @example
 * ```ts
 * utf8Encode('Acme GmbH'); // Uint8Array [65, 99, ...]
 * ```
 */
export function utf8Encode(text: string): Uint8Array {
  assertString(text, 'text');
  // ASCII (ids, labels, codes: nearly every call) in one pass into the array it returns.
  const ascii = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return utf8EncodeAny(text);
    ascii[i] = c;
  }
  return ascii;
}

function utf8EncodeAny(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/**
 * Decodes strict UTF-8, as `new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })` does:
 * overlong forms, surrogates, truncated sequences, stray continuation bytes and code points
 * above U+10FFFF throw `ERR_UTF8_INVALID` (decoded payloads are a trust boundary). A leading
 * byte-order mark is kept (U+FEFF), so decoding is lossless.
 *
 * @example
 * ```ts
 * utf8Decode(new Uint8Array([0x68, 0x69])); // 'hi'
 * try {
 *   utf8Decode(new Uint8Array([0xc0, 0xaf]));
 *   throw new Error('expected ERR_UTF8_INVALID');
 * } catch (err) {
 *   if (!isCloudMfaError(err, 'ERR_UTF8_INVALID')) throw err; // overlong '/'
 * }
 * ```
 */
export function utf8Decode(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let i = 0;
  const fail = (): never => {
    throw new CloudMfaError('ERR_UTF8_INVALID', `invalid UTF-8 at byte ${i}`);
  };
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    let cp: number;
    let n: number;
    if (b0 < 0x80) {
      cp = b0;
      n = 1;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      cp = b0 & 0x1f;
      n = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      cp = b0 & 0x0f;
      n = 3;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      cp = b0 & 0x07;
      n = 4;
    } else return fail();
    if (i + n > bytes.length) return fail();
    for (let k = 1; k < n; k++) {
      const b = bytes[i + k] as number;
      if ((b & 0xc0) !== 0x80) return fail();
      cp = (cp << 6) | (b & 0x3f);
    }
    if ((n === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff))) {
      return fail();
    }
    out += cp < 0x10000 ? String.fromCharCode(cp) : String.fromCharCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    i += n;
  }
  return out;
}

/**
 * Lowercase hexadecimal encoding (for logs of public values and test fixtures).
 *
 * @example
 * ```ts
 * bytesToHex(new Uint8Array([1, 255])); // '01ff'
 * ```
 */
export function bytesToHex(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += ((bytes[i] as number) + 0x100).toString(16).slice(1);
  return s;
}

/**
 * Decodes hexadecimal (either case); throws `ERR_INVALID_ARGUMENT` on odd length or a non-hex digit.
 *
 * @example
 * ```ts
 * hexToBytes('01ff'); // Uint8Array [1, 255]
 * ```
 */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"hex" expected an even-length hexadecimal string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
