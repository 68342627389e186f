/** @module @cloudmfa/core/curves */
// P-256 and Ed25519, built from @noble/curves' abstract modules instead of its `nist.js` and
// `ed25519.js` entry points. Those entry points also build, at module load, FROST, OPRF,
// hash-to-curve, P-384, P-521, ristretto255 and X25519: bundlers without tree shaking (Metro,
// i.e. every React Native app) ship and evaluate all of it, and the FROST setup calls
// `TextEncoder`, which a fresh Hermes lacks. Here only the two curves the SDK uses are built.
//
// The curve constants and the Ed25519 helpers are those of @noble/curves 2.4.0 (`nist.js`,
// `ed25519.js`; MIT, (c) 2022 Paul Miller), from SEC 2 v2 / FIPS 186-5 (P-256) and RFC 8032
// (Ed25519); test/curves.test.ts checks both against the library's own entry points.
import { type EdDSA, eddsa, edwards } from '@noble/curves/abstract/edwards.js';
import { isNegativeLE, mod, pow2 } from '@noble/curves/abstract/modular.js';
import { type ECDSA, ecdsa, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { sha256, sha512 } from './crypto/hash.js';

const p256Point = /* @__PURE__ */ weierstrass({
  p: BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
  n: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  h: BigInt(1),
  a: BigInt('0xffffffff00000001000000000000000000000000fffffffffffffffffffffffc'),
  b: BigInt('0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
  Gx: BigInt('0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'),
  Gy: BigInt('0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
});

/**
 * NIST P-256 ECDSA and ECDH (SHA-256), the same object as `p256` of `@noble/curves/nist.js`
 * without what that entry point builds besides it. For the SDK's packages; apps use the
 * `Signer` and `CryptoProvider` seams (from `@cloudmfa/core`) instead.
 *
 * @example
 * ```ts
 * import { p256 } from '@cloudmfa/core/curves';
 * const secretKey = p256.utils.randomSecretKey(new Uint8Array(48).fill(7));
 * const publicKey = p256.getPublicKey(secretKey, false); // 65 bytes, 0x04 || x || y
 * ```
 */
export const p256: ECDSA = /* @__PURE__ */ ecdsa(p256Point, sha256);

const ED_P = BigInt('0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed');
const SQRT_M1 = BigInt('19681161376707505956807079304988542015446066515923890162744021073123829784752');

function pow2252m3(x: bigint): bigint {
  const P = ED_P;
  const _2n = BigInt(2);
  const x2 = (x * x) % P;
  const b2 = (x2 * x) % P;
  const b4 = (pow2(b2, _2n, P) * b2) % P;
  const b5 = (pow2(b4, BigInt(1), P) * x) % P;
  const b10 = (pow2(b5, BigInt(5), P) * b5) % P;
  const b20 = (pow2(b10, BigInt(10), P) * b10) % P;
  const b40 = (pow2(b20, BigInt(20), P) * b20) % P;
  const b80 = (pow2(b40, BigInt(40), P) * b40) % P;
  const b160 = (pow2(b80, BigInt(80), P) * b80) % P;
  const b240 = (pow2(b160, BigInt(80), P) * b80) % P;
  const b250 = (pow2(b240, BigInt(10), P) * b10) % P;
  return (pow2(b250, _2n, P) * x) % P;
}

/** sqrt(u/v) in constant time (RFC 8032 section 5.1.3), as @noble/curves' `uvRatio`. */
function uvRatio(u: bigint, v: bigint): { isValid: boolean; value: bigint } {
  const P = ED_P;
  const v3 = mod(v * v * v, P);
  const v7 = mod(v3 * v3 * v, P);
  const pow = pow2252m3(u * v7);
  let x = mod(u * v3 * pow, P);
  const vx2 = mod(v * x * x, P);
  const root1 = x;
  const root2 = mod(x * SQRT_M1, P);
  const useRoot1 = vx2 === u;
  const useRoot2 = vx2 === mod(-u, P);
  const noRoot = vx2 === mod(-u * SQRT_M1, P);
  if (useRoot1) x = root1;
  if (useRoot2 || noRoot) x = root2;
  if (isNegativeLE(x, P)) x = mod(-x, P);
  return { isValid: useRoot1 || useRoot2, value: x };
}

/** RFC 8032 section 5.1.5 scalar clamping (mutates and returns `bytes`). */
function adjustScalarBytes(bytes: Uint8Array): Uint8Array {
  bytes[0]! &= 248;
  bytes[31]! &= 127;
  bytes[31]! |= 64;
  return bytes;
}

const ed25519Point = /* @__PURE__ */ edwards(
  {
    p: ED_P,
    n: BigInt('0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed'),
    h: BigInt(8),
    a: BigInt('0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec'),
    d: BigInt('0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3'),
    Gx: BigInt('0x216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a'),
    Gy: BigInt('0x6666666666666666666666666666666666666666666666666666666666666658'),
  },
  { uvRatio },
);

/**
 * Ed25519 (RFC 8032), the same signatures and verification (ZIP-215 by default, strict with
 * `{ zip215: false }`) as `ed25519` of `@noble/curves/ed25519.js`, without X25519,
 * ristretto255, hash-to-curve or FROST.
 *
 * @example
 * ```ts
 * import { ed25519 } from '@cloudmfa/core/curves';
 * const secretKey = new Uint8Array(32).fill(1);
 * const signature = ed25519.sign(new Uint8Array([1, 2, 3]), secretKey);
 * ed25519.verify(signature, new Uint8Array([1, 2, 3]), ed25519.getPublicKey(secretKey)); // true
 * ```
 */
export const ed25519: EdDSA = /* @__PURE__ */ eddsa(ed25519Point, sha512, { adjustScalarBytes, zip215: true });
