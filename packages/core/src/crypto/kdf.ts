// HKDF-SHA256 (RFC 5869) and PBKDF2-HMAC-SHA256 (RFC 8018) for the pure-JS provider, on
// @noble/hashes' HMAC and this package's SHA-256. Why not noble's `hkdf.js` and `pbkdf2.js`:
// their generic option handling is most of their size, and Metro (React Native) ships every
// module whole (docs/benchmarks.md). Arguments are validated by `checks.ts` before these run.
// test/kdf.test.ts checks RFC 5869 / RFC 7914 vectors and node:crypto on seeded random inputs.
import { hmac } from '@noble/hashes/hmac.js';
import { asyncLoop } from '@noble/hashes/utils.js';
import { concatBytes } from '../bytes.js';
import { sha256 } from './hash.js';

/** HKDF-SHA256: extract (an empty salt is HashLen zero bytes, the same HMAC key), then expand. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const prk = hmac(sha256, salt, ikm);
  const out = new Uint8Array(length);
  let t = new Uint8Array(0);
  for (let i = 1, pos = 0; pos < length; i++, pos += 32) {
    // T(i) = HMAC(PRK, T(i-1) || info || i)
    t = hmac(sha256, prk, concatBytes(t, info, Uint8Array.of(i)));
    out.set(t.subarray(0, length - pos), pos);
  }
  prk.fill(0);
  t.fill(0);
  return out;
}

/** PBKDF2-HMAC-SHA256; yields to the event loop every 10 ms. */
export async function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, dkLen: number): Promise<Uint8Array> {
  const prf = hmac.create(sha256, password);
  const prfSalt = prf._cloneInto().update(salt);
  let w = prf._cloneInto();
  const out = new Uint8Array(dkLen);
  const u = new Uint8Array(32);
  const wipe = (): void => {
    for (const h of [prf, prfSalt, w]) h.destroy();
    u.fill(0);
  };
  for (let i = 1, pos = 0; pos < dkLen; i++, pos += 32) {
    // T_i = U_1 ^ ... ^ U_c, U_1 = PRF(P, S || INT_32_BE(i)), U_j = PRF(P, U_{j-1}); the last T_i
    // view is shorter when dkLen is not a multiple of 32 (RFC 8018 5.2 step 4).
    const t = out.subarray(pos, pos + 32);
    w = prfSalt._cloneInto(w);
    w.update(Uint8Array.of(i >>> 24, i >>> 16, i >>> 8, i)).digestInto(u);
    t.set(u.subarray(0, t.length));
    await asyncLoop(
      iterations - 1,
      10,
      () => {
        w = prf._cloneInto(w);
        w.update(u).digestInto(u);
        for (let j = 0; j < t.length; j++) t[j] = (t[j] as number) ^ (u[j] as number);
      },
      () => {
        wipe();
        out.fill(0);
      },
    );
  }
  wipe();
  return out;
}
