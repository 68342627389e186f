// HMAC (RFC 2104) specialised for HOTP: the message is always the 8-byte counter.
//
// prepareKey() runs once per secret: it pads the key (hashing it first when it is longer than a
// block), and stores one compression of K ^ ipad and of K ^ opad. hotpTruncated() then costs two
// compressions over preformatted blocks whose padding and length words never change, writes
// only into the module's scratch arrays, and returns RFC 4226's 31-bit dynamic truncation.
import { type AlgIndex, BLOCK_BYTES, COMPRESS, DIGEST_BYTES, digest, IVS, readWord } from './_sha.js';

/** A secret's precomputed HMAC state. Held privately (see _key.ts); never exported. */
export interface KeyState {
  readonly alg: AlgIndex;
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

export function prepareKey(alg: AlgIndex, secret: Uint8Array): KeyState {
  const blockBytes = BLOCK_BYTES[alg];
  const key = new Uint8Array(blockBytes);
  key.set(secret.length > blockBytes ? digest(alg, secret) : secret);
  const block = new Int32Array(blockBytes / 4);
  const inner = new Int32Array(IVS[alg].length);
  const outer = new Int32Array(IVS[alg].length);
  for (let j = 0; j < block.length; j++) block[j] = readWord(key, 4 * j) ^ 0x36363636;
  COMPRESS[alg](IVS[alg], block, inner);
  for (let j = 0; j < block.length; j++) block[j] = readWord(key, 4 * j) ^ 0x5c5c5c5c;
  COMPRESS[alg](IVS[alg], block, outer);
  // Wipe the padded key copies; the states are what we keep.
  key.fill(0);
  block.fill(0);
  return { alg, inner, outer };
}

// Preformatted final blocks. Inner: counter (2 words), 0x80 pad, zeros, bit length of
// (block + 8) bytes. Outer: inner digest, 0x80 pad, zeros, bit length of (block + digest) bytes.
// SHA-512 blocks are 32 words with a 128-bit length field (only its low word is non-zero).
const INNER = [finalBlock(16, 2, (64 + 8) * 8), finalBlock(16, 2, (64 + 8) * 8), finalBlock(32, 2, (128 + 8) * 8)];
const OUTER = [finalBlock(16, 5, (64 + 20) * 8), finalBlock(16, 8, (64 + 32) * 8), finalBlock(32, 16, (128 + 64) * 8)];
const DIGEST = new Int32Array(16);

function finalBlock(words: number, dataWords: number, bitLength: number): Int32Array {
  const b = new Int32Array(words);
  b[dataWords] = 0x80000000 | 0;
  b[words - 1] = bitLength;
  return b;
}

/**
 * HMAC(key, counter) truncated per RFC 4226 section 5.3: a non-negative 31-bit integer.
 * `hi` and `lo` are the counter's high and low 32 bits (counters up to 2^53 - 1, no BigInt).
 */
export function hotpTruncated(state: KeyState, hi: number, lo: number): number {
  const alg = state.alg;
  const inner = INNER[alg] as Int32Array;
  const outer = OUTER[alg] as Int32Array;
  const compress = COMPRESS[alg];
  const d = DIGEST;
  inner[0] = hi;
  inner[1] = lo;
  compress(state.inner, inner, d);
  const n = DIGEST_BYTES[alg] >> 2;
  for (let i = 0; i < n; i++) outer[i] = d[i] as number;
  compress(state.outer, outer, d);
  return truncateWords(d, n);
}

/** Dynamic truncation over a digest held as `n` big-endian words. */
function truncateWords(d: Int32Array, n: number): number {
  const offset = (d[n - 1] as number) & 0xf;
  const i = offset >> 2;
  const r = (offset & 3) * 8;
  const v = r === 0 ? (d[i] as number) : ((d[i] as number) << r) | ((d[i + 1] as number) >>> (32 - r));
  return v & 0x7fffffff;
}

/** Dynamic truncation over a digest given as bytes (the CryptoProvider path). */
export function truncateBytes(mac: Uint8Array): number {
  const offset = (mac[mac.length - 1] as number) & 0xf;
  return (
    (((mac[offset] as number) & 0x7f) << 24) |
    ((mac[offset + 1] as number) << 16) |
    ((mac[offset + 2] as number) << 8) |
    (mac[offset + 3] as number)
  );
}
