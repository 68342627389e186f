// Standard base64 (RFC 4648 section 4) for the migration URI's `data` parameter, which Google
// writes with '+', '/' and '=' padding. Decoding also takes the URL-safe alphabet and missing
// padding; it refuses anything else, including non-zero trailing bits.
import { fail } from './_common.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}${ALPHABET[n & 63]}`;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}=`;
  }
  return out;
}

function value(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  if (c === 0x2b || c === 0x2d) return 62; // + or -
  if (c === 0x2f || c === 0x5f) return 63; // / or _
  return -1;
}

export function decodeBase64(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  const padding = text.length - end;
  if (padding > 2 || (padding > 0 && text.length % 4 !== 0)) fail('ERR_MIGRATION_DATA', 'the data parameter has malformed base64 padding');
  if (end % 4 === 1) fail('ERR_MIGRATION_DATA', 'the data parameter has an impossible base64 length');
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const v = value(text.charCodeAt(i));
    if (v < 0) fail('ERR_MIGRATION_DATA', `the data parameter has a character outside base64 at position ${i + 1}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) fail('ERR_MIGRATION_DATA', 'the data parameter has non-zero trailing base64 bits');
  return out;
}
