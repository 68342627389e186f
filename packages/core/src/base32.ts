import { assertBytes } from './assert.js';
import { CloudMfaError } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
// Bit mask over `length % 8`: the final quantum lengths (0, 2, 4, 5, 7 characters) that encode
// a whole number of bytes. A mask rather than a Set keeps the module free of top-level
// statements that a bundler must keep.
const VALID_REMAINDERS = 0b10110101;

/**
 * Encodes bytes as RFC 4648 base32 (uppercase). Padding is off by default because
 * `otpauth://` secrets are conventionally unpadded.
 *
 * @example
 * ```ts
 * encodeBase32(utf8Encode('12345678901234567890')); // 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
 * encodeBase32(utf8Encode('f'), { padding: true }); // 'MY======'
 * ```
 */
export function encodeBase32(bytes: Uint8Array, options: { padding?: boolean } = {}): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | (bytes[i] as number)) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  if (options?.padding === true) while (out.length % 8 !== 0) out += '=';
  return out;
}

/**
 * Decodes RFC 4648 base32, forgiving about what people and apps actually do (lowercase,
 * spaces, tabs and line breaks anywhere, missing padding) and strict about everything else:
 * a character outside the alphabet, padding in the middle or of the wrong length, an
 * impossible length, non-zero trailing bits or no data at all each throw `ERR_BASE32_INVALID`
 * with a message that names the problem and its position, never the input itself (it is
 * usually a secret). Linear in the input: bound untrusted text's length first.
 *
 * @param title - the argument's name used in error messages, e.g. `'secret'`.
 * @example
 * ```ts
 * decodeBase32('gezd gnbv gy3t qojq'); // the 10 bytes of '1234567890'
 * try {
 *   decodeBase32('GEZD!');
 *   throw new Error('expected ERR_BASE32_INVALID');
 * } catch (err) {
 *   if (!isCloudMfaError(err, 'ERR_BASE32_INVALID')) throw err; // '"secret" has a character outside the base32 alphabet at position 5'
 * }
 * ```
 */
export function decodeBase32(input: string, title = 'secret'): Uint8Array {
  if (typeof input !== 'string') {
    throw new CloudMfaError('ERR_BASE32_INVALID', `"${title}" expected a base32 string`);
  }
  let data = '';
  let padding = 0;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
    if (ch === '=') {
      padding++;
      continue;
    }
    const up = ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch;
    if (ALPHABET.indexOf(up) < 0) {
      throw new CloudMfaError('ERR_BASE32_INVALID', `"${title}" has a character outside the base32 alphabet at position ${i + 1}`);
    }
    if (padding > 0) {
      throw new CloudMfaError('ERR_BASE32_INVALID', `"${title}" has padding ("=") before the end at position ${i + 1}`);
    }
    data += up;
  }
  if (data.length === 0) {
    throw new CloudMfaError('ERR_BASE32_INVALID', `"${title}" is empty`);
  }
  const remainder = data.length % 8;
  if (((VALID_REMAINDERS >> remainder) & 1) === 0) {
    throw new CloudMfaError('ERR_BASE32_INVALID', `"${title}" has an impossible length for base32 (${data.length} characters)`);
  }
  // Padding is optional, but when present it must complete the last group exactly: a full
  // group followed by '========' (or any surplus) is not RFC 4648 base32.
  const expectedPadding = (8 - remainder) % 8;
  if (padding > 0 && padding !== expectedPadding) {
    throw new CloudMfaError('ERR_BASE32_INVALID', `"${title}" has ${padding} padding characters where ${expectedPadding} were expected`);
  }
  // The unused low bits of the last character must be zero, or two strings decode alike.
  const unusedBits = (data.length * 5) % 8;
  if (unusedBits > 0) {
    const last = ALPHABET.indexOf(data[data.length - 1] as string);
    if ((last & ((1 << unusedBits) - 1)) !== 0) {
      throw new CloudMfaError('ERR_BASE32_INVALID', `"${title}" has non-zero trailing bits (not a canonical base32 encoding)`);
    }
  }
  const out = new Uint8Array(Math.floor((data.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    acc = ((acc << 5) | ALPHABET.indexOf(data[i] as string)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
