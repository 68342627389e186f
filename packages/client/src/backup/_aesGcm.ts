// AES-256-GCM decryption (FIPS 197, NIST SP 800-38D) with a 96-bit nonce and no associated
// data: exactly what Aegis vault exports use, and nothing else. A small byte-oriented
// implementation instead of `@noble/ciphers/aes.js`: that module carries every AES mode (GCM,
// SIV, CTR, CBC, key wrap...) and weighs ~8 KB min+gzip in a Metro bundle (no tree shaking),
// for a one-off import of a user's old vault. Not constant-time in its table lookups: it only
// ever decrypts a file the user chose to import, on their own device. Checked against
// @noble/ciphers' gcm on random inputs and the Aegis vectors (test/backup/aesGcm.test.ts).
import { constantTimeEqual } from '@cloudmfa/core';

const SBOX = /* @__PURE__ */ (() => {
  // The S-box from the multiplicative inverse in GF(2^8) and the affine map (FIPS 197 5.1.1):
  // p walks the field by multiplying by 3, q by dividing by 3, so q = p^-1.
  const box = new Uint8Array(256);
  let p = 1;
  let q = 1;
  const rotl = (x: number, s: number) => ((x << s) | (x >>> (8 - s))) & 0xff;
  do {
    p = (p ^ (p << 1) ^ (p & 0x80 ? 0x1b : 0)) & 0xff;
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    box[p] = q ^ rotl(q, 1) ^ rotl(q, 2) ^ rotl(q, 3) ^ rotl(q, 4) ^ 0x63;
  } while (p !== 1);
  box[0] = 0x63;
  return box;
})();

const xtime = (b: number) => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;

/** AES-256 key expansion (FIPS 197 5.2): 15 round keys of 16 bytes. */
function expandKey(key: Uint8Array): Uint8Array {
  const w = new Uint8Array(240);
  w.set(key);
  let rcon = 1;
  for (let i = 32; i < 240; i += 4) {
    let t0 = w[i - 4]!;
    let t1 = w[i - 3]!;
    let t2 = w[i - 2]!;
    let t3 = w[i - 1]!;
    if (i % 32 === 0) {
      const first = t0;
      t0 = SBOX[t1]! ^ rcon;
      t1 = SBOX[t2]!;
      t2 = SBOX[t3]!;
      t3 = SBOX[first]!;
      rcon = xtime(rcon);
    } else if (i % 32 === 16) {
      t0 = SBOX[t0]!;
      t1 = SBOX[t1]!;
      t2 = SBOX[t2]!;
      t3 = SBOX[t3]!;
    }
    w[i] = w[i - 32]! ^ t0;
    w[i + 1] = w[i - 31]! ^ t1;
    w[i + 2] = w[i - 30]! ^ t2;
    w[i + 3] = w[i - 29]! ^ t3;
  }
  return w;
}

/** Encrypts one 16-byte block with the expanded key (14 rounds). */
function encryptBlock(w: Uint8Array, input: Uint8Array): Uint8Array {
  const s = new Uint8Array(16);
  for (let i = 0; i < 16; i++) s[i] = input[i]! ^ w[i]!;
  const t = new Uint8Array(16);
  for (let round = 1; round <= 14; round++) {
    // SubBytes and ShiftRows: column c, row r takes the byte of column (c + r) mod 4.
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) t[4 * c + r] = SBOX[s[4 * ((c + r) % 4) + r]!]!;
    if (round < 14) {
      for (let c = 0; c < 4; c++) {
        const a0 = t[4 * c]!;
        const a1 = t[4 * c + 1]!;
        const a2 = t[4 * c + 2]!;
        const a3 = t[4 * c + 3]!;
        const all = a0 ^ a1 ^ a2 ^ a3;
        s[4 * c] = a0 ^ all ^ xtime(a0 ^ a1);
        s[4 * c + 1] = a1 ^ all ^ xtime(a1 ^ a2);
        s[4 * c + 2] = a2 ^ all ^ xtime(a2 ^ a3);
        s[4 * c + 3] = a3 ^ all ^ xtime(a3 ^ a0);
      }
    } else s.set(t);
    for (let i = 0; i < 16; i++) s[i]! ^= w[16 * round + i]!;
  }
  return s;
}

/** X * H in GF(2^128) with GCM's bit order (SP 800-38D algorithm 1), in place on `x`. */
function gfMultiply(x: Uint8Array, h: Uint8Array): void {
  const z = new Uint8Array(16);
  const v = h.slice();
  for (let i = 0; i < 128; i++) {
    if ((x[i >>> 3]! >>> (7 - (i & 7))) & 1) for (let j = 0; j < 16; j++) z[j]! ^= v[j]!;
    const lsb = v[15]! & 1;
    for (let j = 15; j > 0; j--) v[j] = (v[j]! >>> 1) | ((v[j - 1]! & 1) << 7);
    v[0] = v[0]! >>> 1;
    if (lsb) v[0]! ^= 0xe1;
  }
  x.set(z);
}

function incrementCounter(block: Uint8Array): void {
  for (let i = 15; i >= 12; i--) {
    block[i] = (block[i]! + 1) & 0xff;
    if (block[i] !== 0) break;
  }
}

/**
 * Opens AES-256-GCM `ciphertext` + 16-byte `tag` under a 32-byte key and a 12-byte nonce, no
 * associated data; undefined when the tag does not verify (nothing is decrypted then).
 */
export function aes256GcmOpen(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
  if (key.length !== 32 || nonce.length !== 12 || tag.length !== 16) return undefined;
  const w = expandKey(key);
  const h = encryptBlock(w, new Uint8Array(16));
  const j0 = new Uint8Array(16);
  j0.set(nonce);
  j0[15] = 1;
  // GHASH over the ciphertext (no associated data), then the length block.
  const y = new Uint8Array(16);
  for (let off = 0; off < ciphertext.length; off += 16) {
    const end = Math.min(off + 16, ciphertext.length);
    for (let i = off; i < end; i++) y[i - off]! ^= ciphertext[i]!;
    gfMultiply(y, h);
  }
  const bits = ciphertext.length * 8;
  // len(A) = 0 (bytes 0..7); len(C) in bits, big-endian in bytes 8..15 (< 2^53 here).
  y[11]! ^= Math.floor(bits / 0x100000000) & 0xff;
  y[10]! ^= Math.floor(bits / 0x10000000000) & 0xff;
  y[9]! ^= Math.floor(bits / 0x1000000000000) & 0xff;
  y[12]! ^= (bits >>> 24) & 0xff;
  y[13]! ^= (bits >>> 16) & 0xff;
  y[14]! ^= (bits >>> 8) & 0xff;
  y[15]! ^= bits & 0xff;
  gfMultiply(y, h);
  const mask = encryptBlock(w, j0);
  for (let i = 0; i < 16; i++) y[i]! ^= mask[i]!;
  if (!constantTimeEqual(y, tag)) return undefined;
  const out = new Uint8Array(ciphertext.length);
  const counter = j0.slice();
  for (let off = 0; off < ciphertext.length; off += 16) {
    incrementCounter(counter);
    const stream = encryptBlock(w, counter);
    const end = Math.min(off + 16, ciphertext.length);
    for (let i = off; i < end; i++) out[i] = ciphertext[i]! ^ stream[i - off]!;
  }
  return out;
}
