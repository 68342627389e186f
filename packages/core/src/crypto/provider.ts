import { ed25519 } from '../curves.js';
import { p256 } from '../curves.js';
import { hmac } from '@noble/hashes/hmac.js';
import type { CHash } from '@noble/hashes/utils.js';
import { sha1, sha256, sha512 } from './hash.js';
import { hkdfSha256, pbkdf2Sha256 } from './kdf.js';
import { scryptAsync } from './scrypt.js';
import { assertBytes } from '../assert.js';
import { checkHashAlgorithm, checkHkdf, checkPbkdf2, checkScrypt, checkVerify } from './checks.js';
import type { HashAlgorithm, Pbkdf2Params, ScryptParams } from './types.js';

export type { HashAlgorithm, Pbkdf2Params, ScryptParams } from './types.js';

/**
 * The seam between the SDK and cryptographic primitives. The default,
 * {@link pureJsCryptoProvider}, runs everywhere (Node, browsers, Hermes) on `@noble/*`.
 * Hosts plug native implementations of the slow operations (the password KDFs on phones,
 * ECDSA verification on servers) with `createCryptoProvider` from `@cloudmfa/core/providers`.
 *
 * Contract for implementers (`docs/core.md` section 5): outputs bit-identical to the pure-JS
 * ones (the test suites run both); verification returns `false`, never throws, for any
 * malformed key or signature, and refuses high-S P-256 signatures; inputs are never logged,
 * and failures carry no input material.
 *
 * @example
 * ```ts
 * async function deriveKey(crypto: CryptoProvider, password: Uint8Array, salt: Uint8Array) {
 *   return crypto.scrypt(password, salt, { N: 2 ** 15, r: 8, p: 1, dkLen: 32 });
 * }
 * ```
 */
export interface CryptoProvider {
  /** A short label for diagnostics and benchmarks, e.g. `'pure-js'` or `'pure-js+webcrypto'`. */
  readonly name: string;
  /** HMAC. Synchronous: it is the OTP hot path. */
  hmac(algorithm: HashAlgorithm, key: Uint8Array, message: Uint8Array): Uint8Array;
  /** A message digest. */
  hash(algorithm: HashAlgorithm, message: Uint8Array): Uint8Array;
  /** HKDF-SHA256 (RFC 5869); `length` in [1, 8160]. */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** scrypt (RFC 7914). Implementations should not block the event loop for the whole run. */
  scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array>;
  /** PBKDF2-HMAC-SHA256 (RFC 8018). */
  pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, params: Pbkdf2Params): Promise<Uint8Array>;
  /**
   * ECDSA P-256 with SHA-256 over `message`. `publicKey` is SEC1 (33 or 65 bytes),
   * `signature` is raw `r || s` (64 bytes). High-S signatures are rejected: every signature
   * the SDK accepts has exactly one encoding.
   */
  p256Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Ed25519 (RFC 8032, strict) verification; `publicKey` 32 bytes, `signature` 64 bytes. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

const HASHES = { SHA1: sha1, SHA256: sha256, SHA512: sha512 } as const;

/**
 * The hash function for an algorithm name, in @noble/hashes' shape (callable, `.create()`; usable
 * with noble's `hmac`, `hkdf`, `pbkdf2`), from `@cloudmfa/core/sha`. Throws `ERR_INVALID_ARGUMENT`
 * otherwise.
 *
 * @example
 * ```ts
 * const h = nobleHash('SHA256');
 * h(utf8Encode('abc')); // 32 bytes
 * ```
 */
export function nobleHash(algorithm: HashAlgorithm): CHash {
  return HASHES[checkHashAlgorithm(algorithm)];
}

/**
 * The portable default provider on `@noble/hashes` and `@noble/curves` (frozen; the SHA family
 * and scrypt are this package's own, `@cloudmfa/core/sha`). Works without
 * any platform crypto; the KDFs yield to the event loop every 10 ms. Argument checks and cost
 * ceilings are those of `docs/core.md` section 5.
 *
 * @example
 * ```ts
 * const mac = pureJsCryptoProvider.hmac('SHA1', key, counterBytes);
 * const ok = await pureJsCryptoProvider.p256Verify(devicePublicKey, signingInput, signature);
 * ```
 */
export const pureJsCryptoProvider: CryptoProvider = /* @__PURE__ */ Object.freeze({
  name: 'pure-js',
  hmac: (algorithm: HashAlgorithm, key: Uint8Array, message: Uint8Array): Uint8Array => {
    const hash = nobleHash(algorithm);
    assertBytes(key, 'key');
    assertBytes(message, 'message');
    return hmac(hash, key, message);
  },
  hash: (algorithm: HashAlgorithm, message: Uint8Array): Uint8Array => {
    const hash = nobleHash(algorithm);
    assertBytes(message, 'message');
    return hash(message);
  },
  hkdfSha256: (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array =>
    hkdfSha256(ikm, salt, info, checkHkdf(ikm, salt, info, length)),
  scrypt: async (password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> => {
    const { N, r, p, dkLen } = checkScrypt(password, salt, params);
    return scryptAsync(password, salt, { N, r, p, dkLen });
  },
  pbkdf2Sha256: async (password: Uint8Array, salt: Uint8Array, params: Pbkdf2Params): Promise<Uint8Array> => {
    const { iterations, dkLen } = checkPbkdf2(password, salt, params);
    return pbkdf2Sha256(password, salt, iterations, dkLen);
  },
  p256Verify: async (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> => {
    checkVerify(publicKey, message, signature);
    if (signature.length !== 64 || (publicKey.length !== 33 && publicKey.length !== 65)) return false;
    try {
      return p256.verify(signature, message, publicKey, { prehash: true, lowS: true, format: 'compact' }) === true;
    } catch {
      return false;
    }
  },
  ed25519Verify: async (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> => {
    checkVerify(publicKey, message, signature);
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false }) === true;
    } catch {
      return false;
    }
  },
});
