// Hand-written SHA-1, SHA-256 and SHA-512 compression functions: the only SHA code on the phone.
//
// Two users. @cloudmfa/otp's HMAC (`_hmac.ts` there): an OTP needs exactly two compressions over
// fixed-size blocks (the 8-byte counter, then the inner digest), so it keeps each secret's
// ipad/opad states and calls these directly on preallocated words, without a generic HMAC's
// allocation, padding and copies. And `hash.ts` here, the streaming hash objects that the
// pure-JS provider, the curves (ECDSA, Ed25519) and the other packages hand to @noble's HMAC,
// HKDF and PBKDF2: one SHA family in every bundle instead of this one plus @noble/hashes'
// `sha2.js`/`_md.js`/`_u64.js` (Metro does not tree-shake; docs/benchmarks.md, bundle section).
// The functions follow FIPS 180-4; every one is cross-checked against @noble/hashes and the
// FIPS 180-4 / RFC 4226 / RFC 6238 vectors (core test/sha.test.ts, otp test/sha.test.ts). SHA-512
// works on 32-bit halves: no BigInt at run time (Hermes, old engines).
//
// Words are big-endian 32-bit values held in Int32Array. `out` may be the same array as `iv`.

// The SHA-2 constants are not tabulated: FIPS 180-4 defines them as the first 64 fractional bits
// of the cube roots (K, first 80 primes) and square roots (IV, first 8 primes) of primes, and
// they are derived here once, exactly, in double-double arithmetic (a double estimate, one
// Newton step with an exact error term: ~100 correct bits, of which 64 are kept). This keeps
// ~1.5 KB of numbers out of every bundle. test/sha.test.ts checks all of them against
// FIPS 180-4's tables (otp test/vectors/sha2-constants.json).
const P32 = 4294967296;

/** [hi, lo] 32-bit words of frac(p^(1/k)) for the first `n` primes. */
function rootWords(n: number, k: 2 | 3): Int32Array {
  const out = new Int32Array(2 * n);
  for (let i = 0, p = 2; i < n; p++) {
    let prime = true;
    for (let d = 2; d * d <= p; d++) if (p % d === 0) prime = false;
    if (!prime) continue;
    const c = Math.pow(p, 1 / k);
    // p - c^k exactly: c^k as a sum of exactly-rounded products (Dekker's two-product).
    let terms = [c];
    for (let j = 1; j < k; j++) {
      const next: number[] = [];
      for (const t of terms) next.push(...twoProd(t, c));
      terms = next;
    }
    let r = p;
    for (const t of terms) r -= t;
    // frac(root) = hi + lo, with hi exact and lo the Newton correction.
    let hi = c - Math.floor(c);
    let lo = r / (k * Math.pow(c, k - 1));
    for (let w = 0; w < 2; w++) {
      const h = hi * P32;
      const l = lo * P32;
      let word = Math.floor(h) + Math.floor(l);
      hi = h - Math.floor(h);
      lo = l - Math.floor(l);
      if (hi + lo >= 1) {
        word++;
        hi--;
      }
      out[2 * i + w] = word;
    }
    i++;
  }
  return out;
}

function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  let s = 134217729 * a;
  const ah = s - (s - a);
  const al = a - ah;
  s = 134217729 * b;
  const bh = s - (s - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** SHA-512 round constants as [hi, lo] pairs (FIPS 180-4 4.2.3). */
export const K512 = /* @__PURE__ */ rootWords(80, 3);
/** SHA-512 initial state as [hi, lo] pairs (FIPS 180-4 5.3.5). */
export const IV512 = /* @__PURE__ */ rootWords(8, 2);
/** SHA-256's constants and initial state are the high halves of SHA-512's (FIPS 180-4 4.2.2, 5.3.3). */
const highHalves = (words: Int32Array, n: number): Int32Array => {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = words[2 * i] as number;
  return out;
};
export const K256 = /* @__PURE__ */ highHalves(K512, 64);
export const IV256 = /* @__PURE__ */ highHalves(IV512, 8);
// prettier-ignore
const IV1 = /* @__PURE__ */ Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);

/**
 * SHA-1 compression (FIPS 180-4 6.1.2): out[0..4] = iv + F(iv, w[0..15]).
 *
 * Fully unrolled, with the message schedule held in 16 local variables as a sliding window:
 * w0 is W[t] and w15 is W[t + 15]; each round appends W[t + 16] = rotl1(W[t + 13] ^ W[t + 8] ^
 * W[t + 2] ^ W[t]) and shifts the window down by one. V8 keeps the locals in registers and the
 * shifts are only renamings in its optimised code (they cost no instructions; the 16 window words
 * computed in the last rounds are never read and are dropped as dead code), which makes this
 * about 2.5x faster than a loop over an Int32Array schedule (~90 ns vs ~240 ns per block). SHA-1
 * is the OTP default, so this is the code that decides HOTP/TOTP speed.
 *
 * The window is what keeps the unrolled code small: every round line is the same text within
 * each 20-round stage (only f_t and K_t change between stages), so gzip stores each stage about
 * once. Schedule indices that change from line to line (W[t] overwriting W[t - 16]) cost about
 * 290 bytes more after gzip for the same machine code. Each line is one round: T = rotl5(a) +
 * f_t(b, c, d) + e + K_t + W[t]; e = d; d = c; c = rotl30(b); b = a; a = T; then the schedule step.
 */
// prettier-ignore
function compress1(iv: Int32Array, w: Int32Array, out: Int32Array): void {
  let a = iv[0] as number, b = iv[1] as number, c = iv[2] as number, d = iv[3] as number, e = iv[4] as number;
  let t: number, x: number;
  let w0 = w[0] as number, w1 = w[1] as number, w2 = w[2] as number, w3 = w[3] as number, w4 = w[4] as number, w5 = w[5] as number, w6 = w[6] as number, w7 = w[7] as number, w8 = w[8] as number, w9 = w[9] as number, w10 = w[10] as number, w11 = w[11] as number, w12 = w[12] as number, w13 = w[13] as number, w14 = w[14] as number, w15 = w[15] as number;
  // rounds 0-19: f = Ch(b, c, d) = (b & c) | (~b & d), written d ^ (b & (c ^ d)), K = 0x5a827999
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + e + 0x5a827999 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  // rounds 20-39: f = Parity, K = 0x6ed9eba1
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  // rounds 40-59: f = Maj(b, c, d) = (b & c) | (b & d) | (c & d), written (b & c) | (d & (b | c)), K = 0x8f1bbcdc
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + e + 0x8f1bbcdc + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  // rounds 60-79: f = Parity, K = 0xca62c1d6
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w0) | 0; e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t; x = w13 ^ w8 ^ w2 ^ w0; w0 = w1; w1 = w2; w2 = w3; w3 = w4; w4 = w5; w5 = w6; w6 = w7; w7 = w8; w8 = w9; w9 = w10; w10 = w11; w11 = w12; w12 = w13; w13 = w14; w14 = w15; w15 = (x << 1) | (x >>> 31);
  out[0] = ((iv[0] as number) + a) | 0;
  out[1] = ((iv[1] as number) + b) | 0;
  out[2] = ((iv[2] as number) + c) | 0;
  out[3] = ((iv[3] as number) + d) | 0;
  out[4] = ((iv[4] as number) + e) | 0;
}

/**
 * Rotating the 64-bit word h:l right by n (0 < n < 32): `rot(h, l, n)` is the high word of the
 * result and `rot(l, h, n)` the low word; a rotation by 32 + n is the same with the halves
 * swapped. A 64-bit shift right by n has the high word `h >>> n` and the low word `rot(l, h, n)`.
 * `rot(x, x, n)` is a 32-bit rotation right (SHA-256).
 */
const rot = (h: number, l: number, n: number): number => (h >>> n) | (l << (32 - n));

// The message schedules of SHA-256 (WH) and SHA-512 (WH, WL): module scratch, wiped at the end
// of every compression, so no secret-derived word outlives a call (exported for
// test/scratch.test.ts). The `w` blocks passed in are never written.
export const WH = /* @__PURE__ */ new Int32Array(80);
export const WL = /* @__PURE__ */ new Int32Array(80);

/** SHA-256 compression: out[0..7] = iv + F(iv, w[0..15]). */
function compress256(iv: Int32Array, w: Int32Array, out: Int32Array): void {
  // Locals: V8 re-checks a module-level array on every loop iteration.
  const s = WH;
  const k = K256;
  for (let i = 0; i < 64; i++) {
    if (i < 16) {
      s[i] = w[i] as number;
      continue;
    }
    const x = s[i - 15] as number;
    const y = s[i - 2] as number;
    // s0 = rotr7 ^ rotr18 ^ shr3, s1 = rotr17 ^ rotr19 ^ shr10
    s[i] = ((rot(y, y, 17) ^ rot(y, y, 19) ^ (y >>> 10)) + (s[i - 7] as number) + (rot(x, x, 7) ^ rot(x, x, 18) ^ (x >>> 3)) + (s[i - 16] as number)) | 0;
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
    // T1 = h + S1(e) + Ch(e, f, g) + K[i] + W[i], S1 = rotr6 ^ rotr11 ^ rotr25
    const t1 = (h + (rot(e, e, 6) ^ rot(e, e, 11) ^ rot(e, e, 25)) + (g ^ (e & (f ^ g))) + (k[i] as number) + (s[i] as number)) | 0;
    // T2 = S0(a) + Maj(a, b, c), S0 = rotr2 ^ rotr13 ^ rotr22
    const t2 = ((rot(a, a, 2) ^ rot(a, a, 13) ^ rot(a, a, 22)) + ((a & b) | (c & (a | b)))) | 0;
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
  s.fill(0);
}

/**
 * SHA-512 compression on 32-bit halves: state and block words are [hi, lo] pairs,
 * out[0..15] = iv + F(iv, block[0..31]). A 64-bit sum is carried as a float sum of unsigned low
 * words (at most 7 terms: < 2^35, exact) and a sum of high words; the low word is that sum mod
 * 2^32 and its carry `(sum / 2^32) | 0` goes into the high word. Int32Array stores reduce mod 2^32.
 */
function compress512(iv: Int32Array, block: Int32Array, out: Int32Array): void {
  const wh = WH;
  const wl = WL;
  const k = K512;
  for (let i = 0; i < 80; i++) {
    if (i < 16) {
      wh[i] = block[2 * i] as number;
      wl[i] = block[2 * i + 1] as number;
      continue;
    }
    // s0 = rotr1 ^ rotr8 ^ shr7 of w[i - 15], s1 = rotr19 ^ rotr61 ^ shr6 of w[i - 2]
    const xh = wh[i - 15] as number;
    const xl = wl[i - 15] as number;
    const yh = wh[i - 2] as number;
    const yl = wl[i - 2] as number;
    const lo =
      ((rot(xl, xh, 1) ^ rot(xl, xh, 8) ^ rot(xl, xh, 7)) >>> 0) +
      ((rot(yl, yh, 19) ^ rot(yh, yl, 29) ^ rot(yl, yh, 6)) >>> 0) +
      ((wl[i - 7] as number) >>> 0) +
      ((wl[i - 16] as number) >>> 0);
    wh[i] =
      (rot(xh, xl, 1) ^ rot(xh, xl, 8) ^ (xh >>> 7)) +
      (rot(yh, yl, 19) ^ rot(yl, yh, 29) ^ (yh >>> 6)) +
      (wh[i - 7] as number) +
      (wh[i - 16] as number) +
      ((lo / P32) | 0);
    wl[i] = lo;
  }
  let ah = iv[0] as number, al = iv[1] as number, bh = iv[2] as number, bl = iv[3] as number;
  let ch = iv[4] as number, cl = iv[5] as number, dh = iv[6] as number, dl = iv[7] as number;
  let eh = iv[8] as number, el = iv[9] as number, fh = iv[10] as number, fl = iv[11] as number;
  let gh = iv[12] as number, gl = iv[13] as number, hh = iv[14] as number, hl = iv[15] as number;
  for (let i = 0; i < 80; i++) {
    // T1 = h + S1(e) + Ch(e, f, g) + K[i] + W[i], S1 = rotr14 ^ rotr18 ^ rotr41; l1/h1 unreduced
    const l1 =
      (hl >>> 0) +
      ((rot(el, eh, 14) ^ rot(el, eh, 18) ^ rot(eh, el, 9)) >>> 0) +
      ((gl ^ (el & (fl ^ gl))) >>> 0) +
      ((k[2 * i + 1] as number) >>> 0) +
      ((wl[i] as number) >>> 0);
    const h1 = hh + (rot(eh, el, 14) ^ rot(eh, el, 18) ^ rot(el, eh, 9)) + (gh ^ (eh & (fh ^ gh))) + (k[2 * i] as number) + (wh[i] as number);
    // T1 + T2, T2 = S0(a) + Maj(a, b, c), S0 = rotr28 ^ rotr34 ^ rotr39
    const l2 = l1 + ((rot(al, ah, 28) ^ rot(ah, al, 2) ^ rot(ah, al, 7)) >>> 0) + (((al & bl) | (cl & (al | bl))) >>> 0);
    const h2 = h1 + (rot(ah, al, 28) ^ rot(al, ah, 2) ^ rot(al, ah, 7)) + ((ah & bh) | (ch & (ah | bh)));
    // d + T1
    const l3 = l1 + (dl >>> 0);
    hh = gh;
    hl = gl;
    gh = fh;
    gl = fl;
    fh = eh;
    fl = el;
    eh = (dh + h1 + ((l3 / P32) | 0)) | 0;
    el = l3 | 0;
    dh = ch;
    dl = cl;
    ch = bh;
    cl = bl;
    bh = ah;
    bl = al;
    ah = (h2 + ((l2 / P32) | 0)) | 0;
    al = l2 | 0;
  }
  add64(iv, out, 0, ah, al);
  add64(iv, out, 2, bh, bl);
  add64(iv, out, 4, ch, cl);
  add64(iv, out, 6, dh, dl);
  add64(iv, out, 8, eh, el);
  add64(iv, out, 10, fh, fl);
  add64(iv, out, 12, gh, gl);
  add64(iv, out, 14, hh, hl);
  wh.fill(0);
  wl.fill(0);
}

function add64(iv: Int32Array, out: Int32Array, i: number, h: number, l: number): void {
  const lo = ((iv[i + 1] as number) >>> 0) + (l >>> 0);
  out[i] = (iv[i] as number) + h + ((lo / P32) | 0);
  out[i + 1] = lo;
}

/** Algorithm index used internally: 0 SHA-1, 1 SHA-256, 2 SHA-512. */
export type AlgIndex = 0 | 1 | 2;

export const BLOCK_BYTES = [64, 64, 128] as const;
export const DIGEST_BYTES = [20, 32, 64] as const;
/** Words of a message block as the compressions read it (they never write it: the message schedules are this module's own scratch, wiped after each compression). */
export const BUFFER_WORDS = [16, 16, 32] as const;
export const IVS = [IV1, IV256, IV512] as const;
export const COMPRESS = [compress1, compress256, compress512] as const;

/** Big-endian 32-bit word at byte offset `i`. */
export function readWord(bytes: Uint8Array, i: number): number {
  return ((bytes[i] as number) << 24) | ((bytes[i + 1] as number) << 16) | ((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number);
}

/**
 * A whole-message hash with the functions above (for OTP HMAC keys longer than a block; without
 * the streaming objects of `hash.ts`, so a tree-shaken OTP bundle carries none of them).
 * Allocates; not the hot path.
 */
export function digest(alg: AlgIndex, message: Uint8Array): Uint8Array {
  const blockBytes = BLOCK_BYTES[alg];
  // Padding: 0x80, zeros, then the bit length in the last 8 (SHA-1/256) or 16 (SHA-512) bytes.
  const total = Math.ceil((message.length + 1 + blockBytes / 8) / blockBytes) * blockBytes;
  const padded = new Uint8Array(total);
  padded.set(message);
  padded[message.length] = 0x80;
  // The bit length in the length field's low word: callers hash secrets (at most 1024 bytes
  // by policy) and test messages, never 512 MiB.
  for (let i = 0; i < 4; i++) padded[total - 1 - i] = (message.length * 8) >>> (8 * i);
  const state = Int32Array.from(IVS[alg]);
  const block = new Int32Array(blockBytes / 4);
  for (let off = 0; off < total; off += blockBytes) {
    for (let j = 0; j < blockBytes / 4; j++) block[j] = readWord(padded, off + 4 * j);
    COMPRESS[alg](state, block, state);
  }
  // The padded copy may be a secret (an HMAC key longer than a block).
  padded.fill(0);
  block.fill(0);
  return wordsToBytes(state, DIGEST_BYTES[alg]);
}

/** The first `n` bytes of big-endian words. */
function wordsToBytes(words: Int32Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (words[i >> 2] as number) >>> (24 - 8 * (i & 3));
  return out;
}
