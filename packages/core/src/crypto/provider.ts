import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { CloudMfaError } from '../errors.js';

/** Hash functions the SDK uses. SHA1 only exists for HOTP/TOTP compatibility. */
export type HashAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** scrypt cost parameters (RFC 7914). `N` must be a power of two. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  dkLen: number;
}

/** PBKDF2-HMAC-SHA256 parameters. */
export interface Pbkdf2Params {
  iterations: number;
  dkLen: number;
}

/**
 * The seam between the SDK and cryptographic primitives. The default,
 * {@link pureJsCryptoProvider}, runs everywhere (Node, browsers, Hermes) on `@noble/*`.
 * Hosts plug native implementations of the slow operations (the password KDFs on phones,
 * ECDSA verification on servers) with {@link createCryptoProvider}.
 *
 * Contract for implementers: outputs must be bit-identical to the pure-JS ones (the test
 * suites run both), inputs are never logged, and failures reject with an error that carries
 * no input material.
 */
export interface CryptoProvider {
  /** A short label for diagnostics and benchmarks, e.g. `'pure-js'` or `'pure-js+webcrypto'`. */
  readonly name: string;
  /** HMAC. Synchronous: it is the OTP hot path. */
  hmac(algorithm: HashAlgorithm, key: Uint8Array, message: Uint8Array): Uint8Array;
  /** A message digest. */
  hash(algorithm: HashAlgorithm, message: Uint8Array): Uint8Array;
  /** HKDF-SHA256 (RFC 5869). */
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
  /** Ed25519 (RFC 8032) verification; `publicKey` 32 bytes, `signature` 64 bytes. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

const HASHES = { SHA1: sha1, SHA256: sha256, SHA512: sha512 } as const;

/**
 * The noble hash function for an algorithm name. Throws `ERR_INVALID_ARGUMENT` otherwise.
 *
 * @example
 * ```ts
 * const h = nobleHash('SHA256');
 * ```
 */
export function nobleHash(algorithm: HashAlgorithm): (typeof HASHES)[HashAlgorithm] {
  const h = HASHES[algorithm];
  if (!h || !Object.prototype.hasOwnProperty.call(HASHES, algorithm)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"algorithm" expected SHA1, SHA256 or SHA512`);
  }
  return h;
}

/**
 * The portable default provider on `@noble/hashes` and `@noble/curves`. Works without any
 * platform crypto; slow operations yield to the event loop where noble supports it.
 *
 * @example
 * ```ts
 * const mac = pureJsCryptoProvider.hmac('SHA1', key, counterBytes);
 * ```
 */
export const pureJsCryptoProvider: CryptoProvider = {
  name: 'pure-js',
  hmac: (algorithm, key, message) => hmac(nobleHash(algorithm), key, message),
  hash: (algorithm, message) => nobleHash(algorithm)(message),
  hkdfSha256: (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
  scrypt: (password, salt, { N, r, p, dkLen }) =>
    // maxmem is set from the parameters the caller already validated against its own caps.
    scryptAsync(password, salt, { N, r, p, dkLen, maxmem: 128 * N * r * p + 128 * r * p + 1024 * 1024 }),
  pbkdf2Sha256: (password, salt, { iterations, dkLen }) => pbkdf2Async(sha256, password, salt, { c: iterations, dkLen }),
  p256Verify: async (publicKey, message, signature) => {
    try {
      return p256.verify(signature, message, publicKey, { prehash: true, lowS: true, format: 'compact' });
    } catch {
      return false;
    }
  },
  ed25519Verify: async (publicKey, message, signature) => {
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};

/**
 * Builds a provider from the pure-JS default with some operations replaced by native ones.
 *
 * @example
 * ```ts
 * import { scrypt } from 'node:crypto';
 * const provider = createCryptoProvider({
 *   name: 'node-scrypt',
 *   scrypt: (pw, salt, { N, r, p, dkLen }) =>
 *     new Promise((ok, fail) => scrypt(pw, salt, dkLen, { N, r, p, maxmem: 256 * N * r }, (e, k) => (e ? fail(e) : ok(new Uint8Array(k))))),
 * });
 * ```
 */
export function createCryptoProvider(overrides: Partial<CryptoProvider>, base: CryptoProvider = pureJsCryptoProvider): CryptoProvider {
  const merged: CryptoProvider = { ...base, ...overrides, name: overrides.name ?? `${base.name}+custom` };
  return Object.freeze(merged);
}
