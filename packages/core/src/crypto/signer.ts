import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { assertBytes } from '../assert.js';
import { CloudMfaError } from '../errors.js';
import { type RandomSource, systemRandom } from '../runtime.js';
import { normalizeP256Signature } from './ecdsa.js';

/** JWS algorithm names of the keys the SDK signs with. */
export type SignatureAlgorithm = 'ES256' | 'EdDSA';

/**
 * The signing seam. A device key may live in the Secure Enclave, Android Keystore or an HSM:
 * the SDK only ever sees its public key and asks it to sign bytes.
 *
 * - ES256: `publicKey` is uncompressed SEC1 (65 bytes); `sign` returns raw `r || s` with low S
 *   (wrap hardware keys with {@link signerFromHost}, which converts DER and normalises S).
 *   The signer hashes with SHA-256 itself, as ECDSA-with-SHA256 APIs do.
 * - EdDSA: `publicKey` 32 bytes; `sign` returns 64 bytes.
 */
export interface Signer {
  readonly algorithm: SignatureAlgorithm;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** A software key pair: the private key is for the host's secure storage only. */
export interface SoftwareSigner extends Signer {
  /** Export the private key (32 bytes) for secure storage. Never log it. */
  exportPrivateKey(): Uint8Array;
}

/**
 * Creates a software signer from a stored private key, or a new key from `random`.
 * Prefer a hardware-backed key where the host has one ({@link signerFromHost}).
 *
 * @example
 * ```ts
 * const device = createSoftwareSigner({ algorithm: 'ES256' });
 * await secureStore.set('device-key', device.exportPrivateKey());
 * ```
 */
export function createSoftwareSigner(options: {
  algorithm?: SignatureAlgorithm;
  privateKey?: Uint8Array;
  random?: RandomSource;
} = {}): SoftwareSigner {
  const { algorithm = 'ES256', random = systemRandom } = options;
  if (algorithm === 'ES256') {
    const secret = options.privateKey ?? p256.utils.randomSecretKey(random(48));
    assertBytes(secret, 'privateKey', 32);
    let publicKey: Uint8Array;
    try {
      publicKey = p256.getPublicKey(secret, false);
    } catch {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"privateKey" is not a valid P-256 private key');
    }
    const key = Uint8Array.from(secret);
    return Object.freeze({
      algorithm,
      publicKey,
      // RFC 6979 deterministic nonces: no dependence on the runtime's RNG quality at sign time.
      sign: async (message: Uint8Array) =>
        normalizeP256Signature(p256.sign(message, key, { prehash: true, lowS: true, format: 'compact' })),
      exportPrivateKey: () => Uint8Array.from(key),
    });
  }
  if (algorithm === 'EdDSA') {
    const secret = options.privateKey ?? random(32);
    assertBytes(secret, 'privateKey', 32);
    const key = Uint8Array.from(secret);
    const publicKey = ed25519.getPublicKey(key);
    return Object.freeze({
      algorithm,
      publicKey,
      sign: async (message: Uint8Array) => ed25519.sign(message, key),
      exportPrivateKey: () => Uint8Array.from(key),
    });
  }
  throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"algorithm" expected ES256 or EdDSA');
}

/**
 * Adapts a host key (Secure Enclave, Android Keystore, HSM, WebCrypto non-extractable key)
 * to a {@link Signer}. For ES256 the host's output may be DER or raw; it is converted to raw
 * `r || s` with low S, and the public key is checked to be an uncompressed P-256 point.
 *
 * @example
 * ```ts
 * const signer = signerFromHost({
 *   algorithm: 'ES256',
 *   publicKey: await enclave.publicKey(),
 *   sign: (bytes) => enclave.signSha256(bytes), // returns DER
 * });
 * ```
 */
export function signerFromHost(host: {
  algorithm: SignatureAlgorithm;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}): Signer {
  if (host.algorithm === 'ES256') {
    assertBytes(host.publicKey, 'publicKey', 65);
    try {
      p256.Point.fromBytes(host.publicKey).assertValidity();
    } catch {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"publicKey" is not a valid P-256 point');
    }
    return Object.freeze({
      algorithm: 'ES256',
      publicKey: Uint8Array.from(host.publicKey),
      sign: async (message: Uint8Array) => normalizeP256Signature(await host.sign(message)),
    });
  }
  if (host.algorithm === 'EdDSA') {
    assertBytes(host.publicKey, 'publicKey', 32);
    return Object.freeze({
      algorithm: 'EdDSA',
      publicKey: Uint8Array.from(host.publicKey),
      sign: async (message: Uint8Array) => {
        const sig = await host.sign(message);
        assertBytes(sig, 'signature', 64);
        return sig;
      },
    });
  }
  throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"algorithm" expected ES256 or EdDSA');
}
