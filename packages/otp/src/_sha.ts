// Hand-written SHA-1, SHA-256 and SHA-512 compression functions for the OTP hot path.
//
// Why not @noble/hashes: a generic HMAC allocates, pads and copies on every call. An OTP needs
// exactly two compressions over fixed-size blocks (the 8-byte counter, then the inner digest),
// so `_hmac.ts` keeps each secret's ipad/opad states and calls these directly on preallocated
// words. The functions follow FIPS 180-4; every one is cross-checked against @noble/hashes and
// the RFC 4226 / RFC 6238 vectors in test/sha.test.ts. SHA-512 works on 32-bit halves: no
// BigInt at run time (Hermes, old engines).
//
// Words are big-endian 32-bit values held in Int32Array. `block` is never modified; `out` may
// be the same array as `iv`.

/** SHA-512 round constants as [hi, lo] 32-bit pairs (FIPS 180-4 section 4.2.3). */
// prettier-ignore
const K512 = /* @__PURE__ */ Int32Array.from([
  0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd, 0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc,
  0x3956c25b, 0xf348b538, 0x59f111f1, 0xb605d019, 0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118,
  0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe, 0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2,
  0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1, 0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694,
  0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3, 0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65,
  0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483, 0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5,
  0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210, 0xb00327c8, 0x98fb213f, 0xbf597fc7, 0xbeef0ee4,
  0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725, 0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70,
  0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926, 0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
  0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8, 0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b,
  0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001, 0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30,
  0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910, 0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8,
  0x19a4c116, 0xb8d2d0c8, 0x1e376c08, 0x5141ab53, 0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8,
  0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb, 0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3,
  0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60, 0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec,
  0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9, 0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b,
  0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207, 0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178,
  0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6, 0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
  0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493, 0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c,
  0x4cc5d4be, 0xcb3e42b6, 0x597f299c, 0xfc657e2a, 0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817,
]);

/**
 * SHA-256 constants are the first 32 bits of the same cube-root fractions (FIPS 180-4 4.2.2),
 * i.e. the high halves of the first 64 SHA-512 constants: derived, not repeated.
 */
const K256 = /* @__PURE__ */ (() => {
  const k = new Int32Array(64);
  for (let i = 0; i < 64; i++) k[i] = K512[2 * i] as number;
  return k;
})();

// prettier-ignore
export const IV1 = /* @__PURE__ */ Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
// prettier-ignore
export const IV256 = /* @__PURE__ */ Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
// prettier-ignore
export const IV512 = /* @__PURE__ */ Int32Array.from([
  0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
  0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
]);

// Message schedules, reused by every call (JavaScript runs one compression at a time).
const W1 = /* @__PURE__ */ new Int32Array(80);
const W256 = /* @__PURE__ */ new Int32Array(64);
const WH = /* @__PURE__ */ new Int32Array(80);
const WL = /* @__PURE__ */ new Int32Array(80);

/** SHA-1 compression: out[0..4] = iv + F(iv, block[0..15]). */
export function compress1(iv: Int32Array, block: Int32Array, out: Int32Array): void {
  const w = W1;
  for (let i = 0; i < 16; i++) w[i] = block[i] as number;
  for (let i = 16; i < 80; i++) {
    const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number);
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = iv[0] as number;
  let b = iv[1] as number;
  let c = iv[2] as number;
  let d = iv[3] as number;
  let e = iv[4] as number;
  let t: number;
  let i = 0;
  for (; i < 20; i++) {
    t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + (w[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (; i < 40; i++) {
    t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + (w[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (; i < 60; i++) {
    t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + (w[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (; i < 80; i++) {
    t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + (w[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  out[0] = ((iv[0] as number) + a) | 0;
  out[1] = ((iv[1] as number) + b) | 0;
  out[2] = ((iv[2] as number) + c) | 0;
  out[3] = ((iv[3] as number) + d) | 0;
  out[4] = ((iv[4] as number) + e) | 0;
}

/** SHA-256 compression: out[0..7] = iv + F(iv, block[0..15]). */
export function compress256(iv: Int32Array, block: Int32Array, out: Int32Array): void {
  const w = W256;
  for (let i = 0; i < 16; i++) w[i] = block[i] as number;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15] as number;
    const y = w[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (s1 + (w[i - 7] as number) + s0 + (w[i - 16] as number)) | 0;
  }
  let a = iv[0] as number;
  let b = iv[1] as number;
  let c = iv[2] as number;
  let d = iv[3] as number;
  let e = iv[4] as number;
  let f = iv[5] as number;
  let g = iv[6] as number;
  let h = iv[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K256[i] as number) + (w[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = ((iv[0] as number) + a) | 0;
  out[1] = ((iv[1] as number) + b) | 0;
  out[2] = ((iv[2] as number) + c) | 0;
  out[3] = ((iv[3] as number) + d) | 0;
  out[4] = ((iv[4] as number) + e) | 0;
  out[5] = ((iv[5] as number) + f) | 0;
  out[6] = ((iv[6] as number) + g) | 0;
  out[7] = ((iv[7] as number) + h) | 0;
}

const P32 = 4294967296;

/**
 * SHA-512 compression on 32-bit halves: state and block words are [hi, lo] pairs,
 * out[0..15] = iv + F(iv, block[0..31]). Additions carry from the low to the high half through
 * exact float sums of unsigned halves (at most 5 terms: < 2^35, exact).
 */
export function compress512(iv: Int32Array, block: Int32Array, out: Int32Array): void {
  const wh = WH;
  const wl = WL;
  for (let i = 0; i < 16; i++) {
    wh[i] = block[2 * i] as number;
    wl[i] = block[2 * i + 1] as number;
  }
  for (let i = 16; i < 80; i++) {
    // s0 = rotr1 ^ rotr8 ^ shr7 of w[i-15]
    let h = wh[i - 15] as number;
    let l = wl[i - 15] as number;
    const s0h = ((h >>> 1) | (l << 31)) ^ ((h >>> 8) | (l << 24)) ^ (h >>> 7);
    const s0l = ((l >>> 1) | (h << 31)) ^ ((l >>> 8) | (h << 24)) ^ ((l >>> 7) | (h << 25));
    // s1 = rotr19 ^ rotr61 ^ shr6 of w[i-2]
    h = wh[i - 2] as number;
    l = wl[i - 2] as number;
    const s1h = ((h >>> 19) | (l << 13)) ^ ((l >>> 29) | (h << 3)) ^ (h >>> 6);
    const s1l = ((l >>> 19) | (h << 13)) ^ ((h >>> 29) | (l << 3)) ^ ((l >>> 6) | (h << 26));
    const lo = (s0l >>> 0) + (s1l >>> 0) + ((wl[i - 7] as number) >>> 0) + ((wl[i - 16] as number) >>> 0);
    wh[i] = (s0h + s1h + (wh[i - 7] as number) + (wh[i - 16] as number) + ((lo / P32) | 0)) | 0;
    wl[i] = lo | 0;
  }
  let ah = iv[0] as number, al = iv[1] as number, bh = iv[2] as number, bl = iv[3] as number;
  let ch = iv[4] as number, cl = iv[5] as number, dh = iv[6] as number, dl = iv[7] as number;
  let eh = iv[8] as number, el = iv[9] as number, fh = iv[10] as number, fl = iv[11] as number;
  let gh = iv[12] as number, gl = iv[13] as number, hh = iv[14] as number, hl = iv[15] as number;
  for (let i = 0; i < 80; i++) {
    // S1 = rotr14 ^ rotr18 ^ rotr41 of e
    const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
    const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
    const chh = (eh & fh) ^ (~eh & gh);
    const chl = (el & fl) ^ (~el & gl);
    const t1lo = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + ((K512[2 * i + 1] as number) >>> 0) + ((wl[i] as number) >>> 0);
    const t1h = (hh + S1h + chh + (K512[2 * i] as number) + (wh[i] as number) + ((t1lo / P32) | 0)) | 0;
    const t1l = t1lo | 0;
    // S0 = rotr28 ^ rotr34 ^ rotr39 of a
    const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
    const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
    const majh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
    const majl = (al & bl) ^ (al & cl) ^ (bl & cl);
    hh = gh;
    hl = gl;
    gh = fh;
    gl = fl;
    fh = eh;
    fl = el;
    const elo = (dl >>> 0) + (t1l >>> 0);
    eh = (dh + t1h + ((elo / P32) | 0)) | 0;
    el = elo | 0;
    dh = ch;
    dl = cl;
    ch = bh;
    cl = bl;
    bh = ah;
    bl = al;
    const alo = (t1l >>> 0) + (S0l >>> 0) + (majl >>> 0);
    ah = (t1h + S0h + majh + ((alo / P32) | 0)) | 0;
    al = alo | 0;
  }
  add64(iv, out, 0, ah, al);
  add64(iv, out, 2, bh, bl);
  add64(iv, out, 4, ch, cl);
  add64(iv, out, 6, dh, dl);
  add64(iv, out, 8, eh, el);
  add64(iv, out, 10, fh, fl);
  add64(iv, out, 12, gh, gl);
  add64(iv, out, 14, hh, hl);
}

function add64(iv: Int32Array, out: Int32Array, i: number, h: number, l: number): void {
  const lo = ((iv[i + 1] as number) >>> 0) + (l >>> 0);
  out[i] = ((iv[i] as number) + h + ((lo / P32) | 0)) | 0;
  out[i + 1] = lo | 0;
}

/** Algorithm index used internally: 0 SHA-1, 1 SHA-256, 2 SHA-512. */
export type AlgIndex = 0 | 1 | 2;

/** Block size in bytes, digest size in bytes, per algorithm index. */
export const BLOCK_BYTES = [64, 64, 128] as const;
export const DIGEST_BYTES = [20, 32, 64] as const;
export const IVS = [IV1, IV256, IV512] as const;
export const COMPRESS = [compress1, compress256, compress512] as const;

/**
 * A whole-message hash with the functions above (used for HMAC keys longer than a block, and
 * by the tests to check the compressions against @noble/hashes). Allocates; not the hot path.
 */
export function digest(alg: AlgIndex, message: Uint8Array): Uint8Array {
  const blockBytes = BLOCK_BYTES[alg];
  const compress = COMPRESS[alg];
  // Padding: 0x80, zeros, then the bit length in the last 8 (SHA-1/256) or 16 (SHA-512) bytes.
  const lengthBytes = alg === 2 ? 16 : 8;
  const total = Math.ceil((message.length + 1 + lengthBytes) / blockBytes) * blockBytes;
  const padded = new Uint8Array(total);
  padded.set(message);
  padded[message.length] = 0x80;
  const bits = message.length * 8;
  // The SDK never hashes 2^53 bits; the two low 32-bit words of the length suffice.
  writeWord(padded, total - 4, bits >>> 0);
  writeWord(padded, total - 8, Math.floor(bits / P32));
  const state = Int32Array.from(IVS[alg]);
  const block = new Int32Array(blockBytes / 4);
  for (let off = 0; off < total; off += blockBytes) {
    for (let j = 0; j < block.length; j++) block[j] = readWord(padded, off + 4 * j);
    compress(state, block, state);
  }
  return wordsToBytes(state, DIGEST_BYTES[alg]);
}

/** Big-endian 32-bit word at byte offset `i`. */
export function readWord(bytes: Uint8Array, i: number): number {
  return (((bytes[i] as number) << 24) | ((bytes[i + 1] as number) << 16) | ((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number)) | 0;
}

function writeWord(bytes: Uint8Array, i: number, v: number): void {
  bytes[i] = v >>> 24;
  bytes[i + 1] = (v >>> 16) & 0xff;
  bytes[i + 2] = (v >>> 8) & 0xff;
  bytes[i + 3] = v & 0xff;
}

/** The first `n` bytes of big-endian words. */
export function wordsToBytes(words: Int32Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = ((words[i >> 2] as number) >>> (24 - 8 * (i & 3))) & 0xff;
  return out;
}
