// HMAC (RFC 2104) specialised for HOTP: the message is always the 8-byte counter.
//
// prepareKey() runs once per secret: it pads the key (hashing it first when it is longer than a
// block) and stores one compression of K ^ ipad and one of K ^ opad. hotpTruncated() then costs
// two compressions over preformatted blocks whose padding and length words never change: the
// inner compression writes its digest straight into the outer block, the outer one into a
// scratch digest, and RFC 4226's dynamic truncation reads that. No allocation.
import { type AlgIndex, BLOCK_BYTES, BUFFER_WORDS, COMPRESS, DIGEST_BYTES, digest, IVS, readWord } from '@cloudmfa/core/sha';

/** A secret's precomputed HMAC state, held privately by the key registry; never exported. */
export interface KeyState {
  readonly alg: AlgIndex;
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

// Scratch for prepareKey: the zero-padded key and the block, wiped after each use.
const PAD = /* @__PURE__ */ new Uint8Array(128);
const BLOCK = /* @__PURE__ */ new Int32Array(64);

/** Empty ipad/opad states for `alg`. */
const keyState = (alg: AlgIndex): KeyState => ({ alg, inner: new Int32Array(IVS[alg].length), outer: new Int32Array(IVS[alg].length) });

/**
 * Writes the ipad/opad states of `secret` into `s` (new ones by default; the one-shot states
 * of a raw-bytes call are reused, so that path allocates nothing) and returns it.
 */
export function prepareKey(alg: AlgIndex, secret: Uint8Array, s: KeyState = keyState(alg)): KeyState {
  const blockBytes = BLOCK_BYTES[alg];
  PAD.set(secret.length > blockBytes ? digest(alg, secret) : secret);
  const half = (pad: number, out: Int32Array) => {
    for (let j = 0; j < blockBytes / 4; j++) BLOCK[j] = readWord(PAD, 4 * j) ^ pad;
    COMPRESS[alg](IVS[alg], BLOCK, out);
  };
  half(0x36363636, s.inner);
  half(0x5c5c5c5c, s.outer);
  // Wipe the padded key copies; the states are what we keep.
  PAD.fill(0);
  BLOCK.fill(0);
  return s;
}

/**
 * The final block after a block-sized prefix: `dataWords` words of data, the 0x80 pad, zeros,
 * and the message length in bits in the last word (SHA-512's 128-bit length field has only its
 * low word set).
 */
function finalBlock(alg: AlgIndex, dataWords: number): Int32Array {
  const b = new Int32Array(BUFFER_WORDS[alg]);
  b[dataWords] = 0x80000000 | 0;
  b[BLOCK_BYTES[alg] / 4 - 1] = (BLOCK_BYTES[alg] + 4 * dataWords) * 8;
  return b;
}

const ALGS: AlgIndex[] = [0, 1, 2];
// Inner: the 8-byte counter. Outer: the inner digest.
const INNER = /* @__PURE__ */ ALGS.map((a) => finalBlock(a, 2));
const OUTER = /* @__PURE__ */ ALGS.map((a) => finalBlock(a, DIGEST_BYTES[a] / 4));
const DIGEST = /* @__PURE__ */ new Int32Array(16);
/** Per algorithm, the states of the raw-bytes path (`resolveKey`), rewritten on every such call. */
export const ONE_SHOT = /* @__PURE__ */ ALGS.map(keyState);

/**
 * HMAC(key, counter) truncated per RFC 4226 section 5.3: a non-negative 31-bit integer.
 * `hi` and `lo` are the counter's high and low 32 bits (counters up to 2^53 - 1, no BigInt).
 */
export function hotpTruncated(state: KeyState, hi: number, lo: number): number {
  const alg = state.alg;
  const inner = INNER[alg] as Int32Array;
  const outer = OUTER[alg] as Int32Array;
  const d = DIGEST;
  inner[0] = hi;
  inner[1] = lo;
  COMPRESS[alg](state.inner, inner, outer);
  COMPRESS[alg](state.outer, outer, d);
  // Dynamic truncation: 4 bytes at the offset named by the last byte's low nibble.
  const offset = (d[DIGEST_BYTES[alg] / 4 - 1] as number) & 0xf;
  const i = offset >> 2;
  const r = (offset & 3) * 8;
  return (r === 0 ? (d[i] as number) : ((d[i] as number) << r) | ((d[i + 1] as number) >>> (32 - r))) & 0x7fffffff;
}

/** Dynamic truncation over a digest given as bytes (the CryptoProvider path). */
export function truncateBytes(mac: Uint8Array): number {
  const offset = (mac[mac.length - 1] as number) & 0xf;
  return (
    (((mac[offset] as number) & 0x7f) << 24) | ((mac[offset + 1] as number) << 16) | ((mac[offset + 2] as number) << 8) | (mac[offset + 3] as number)
  );
}
