// HMAC (RFC 2104) specialised for HOTP: the message is always the 8-byte counter.
//
// prepareKey() runs once per secret (or once per raw-bytes call): it pads the key (hashing it
// first when it is longer than a block) and stores one compression of K ^ ipad and one of
// K ^ opad. hotpTruncated() then costs two compressions over preformatted blocks whose padding
// and length words never change: the inner compression writes its digest straight into the
// outer block, the outer one into a scratch digest, and RFC 4226's dynamic truncation reads
// that. No allocation, and no key- or code-derived word is left in this module's scratch when
// either returns (the one-shot states are wiped by the caller, `release` in _common.ts).
import { type AlgIndex, BLOCK_BYTES, COMPRESS, DIGEST_BYTES, digest, IVS, readWord } from '@cloudmfa/core/sha';

/** A secret's precomputed HMAC state, held privately by the key registry; never exported. */
export interface KeyState {
  readonly alg: AlgIndex;
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

// Scratch for prepareKey: the blocks K ^ ipad and K ^ opad. Between calls they hold only the
// pad bytes (a zero key); prepareKey writes the words that carry key bytes and puts the pad back
// before it returns, so a 20-byte key costs 5 words, not a whole block. The scratch arrays are
// exported for test/scratch.test.ts only (it checks them after every operation).
export const IPAD = /* @__PURE__ */ new Int32Array(32).fill(0x36363636);
export const OPAD = /* @__PURE__ */ new Int32Array(32).fill(0x5c5c5c5c);

/** Empty ipad/opad states for `alg`. */
const keyState = (alg: AlgIndex): KeyState => ({ alg, inner: new Int32Array(IVS[alg].length), outer: new Int32Array(IVS[alg].length) });

/**
 * Writes the ipad/opad states of `secret` into `s` (new ones by default; the one-shot states
 * of a raw-bytes call are reused, so that path allocates nothing) and returns it. The key is
 * read a word at a time straight into both pad blocks (no zero-padded copy).
 */
export function prepareKey(alg: AlgIndex, secret: Uint8Array, s: KeyState = keyState(alg)): KeyState {
  // Locals: V8 re-checks a module-level array on every loop iteration.
  const ipad = IPAD;
  const opad = OPAD;
  const key = secret.length > BLOCK_BYTES[alg] ? digest(alg, secret) : secret;
  const words = (key.length + 3) >> 2;
  for (let j = 0, i = 0; j < words; j++, i += 4) {
    // Word j of the key; bytes past its end are 0.
    let w = 0;
    if (i + 4 <= key.length) w = readWord(key, i);
    else for (let k = i; k < key.length; k++) w |= (key[k] as number) << (24 - 8 * (k - i));
    ipad[j] = w ^ 0x36363636;
    opad[j] = w ^ 0x5c5c5c5c;
  }
  COMPRESS[alg](IVS[alg], ipad, s.inner);
  COMPRESS[alg](IVS[alg], opad, s.outer);
  // Back to the bare pads (and wipe a hashed long key); the states are what we keep.
  for (let j = 0; j < words; j++) {
    ipad[j] = 0x36363636;
    opad[j] = 0x5c5c5c5c;
  }
  if (key !== secret) key.fill(0);
  return s;
}

/**
 * The final block after a block-sized prefix: `dataWords` words of data, the 0x80 pad, zeros,
 * and the message length in bits in the last word (SHA-512's 128-bit length field has only its
 * low word set).
 */
function finalBlock(alg: AlgIndex, dataWords: number): Int32Array {
  const b = new Int32Array(BLOCK_BYTES[alg] / 4);
  b[dataWords] = 0x80000000 | 0;
  b[BLOCK_BYTES[alg] / 4 - 1] = (BLOCK_BYTES[alg] + 4 * dataWords) * 8;
  return b;
}

const ALGS: AlgIndex[] = [0, 1, 2];
// Inner: the 8-byte counter. Outer: the inner digest.
const INNER = /* @__PURE__ */ ALGS.map((a) => finalBlock(a, 2));
export const OUTER = /* @__PURE__ */ ALGS.map((a) => finalBlock(a, DIGEST_BYTES[a] / 4));
export const DIGEST = /* @__PURE__ */ new Int32Array(16);
/**
 * Per algorithm, the states of the raw-bytes path (`resolveKey`), rewritten on every such call
 * and wiped (`release`) before it returns.
 */
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
  // The next word's top r bits; `>>> 1 >>> (31 - r)` is 0 for r = 0, where `>>> 32` would not be.
  const code = (((d[i] as number) << r) | ((d[i + 1] as number) >>> 1 >>> (31 - r))) & 0x7fffffff;
  // The inner digest and the HMAC go: the code they give must not outlive the call.
  for (let j = 0; j < DIGEST_BYTES[alg] / 4; j++) outer[j] = d[j] = 0;
  return code;
}

/** Dynamic truncation over a digest given as bytes (the CryptoProvider path). */
export function truncateBytes(mac: Uint8Array): number {
  const offset = (mac[mac.length - 1] as number) & 0xf;
  return (
    (((mac[offset] as number) & 0x7f) << 24) | ((mac[offset + 1] as number) << 16) | ((mac[offset + 2] as number) << 8) | (mac[offset + 3] as number)
  );
}
