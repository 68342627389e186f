import { ed25519 } from '../curves.js';
import { p256 } from '../curves.js';
import { assertBytes, describe, isBytes } from '../assert.js';
import { CloudMfaError } from '../errors.js';
import { checkedRandom, type RandomSource, systemRandom } from '../runtime.js';
import { normalizeP256Signature, type P256SignatureFormat } from './ecdsa.js';

/**
 * JWS algorithm names of the keys the SDK signs with.
 *
 * @example
 * ```ts
 * const algorithm: SignatureAlgorithm = 'ES256';
 * ```
 */
export type SignatureAlgorithm = 'ES256' | 'EdDSA';

/**
 * The signing seam. A device key may live in the Secure Enclave, Android Keystore or an HSM:
 * the SDK only ever sees its public key and asks it to sign bytes.
 *
 * - ES256: `publicKey` is uncompressed SEC1 (65 bytes); `sign` returns raw `r || s` with low S
 *   (wrap hardware keys with {@link signerFromHost}, which converts DER and normalises S).
 *   The signer hashes with SHA-256 itself, as ECDSA-with-SHA256 APIs do.
 * - EdDSA: `publicKey` 32 bytes; `sign` returns 64 bytes.
 *
 * @example
 * ```ts
 * async function signResponse(signer: Signer, signingInput: Uint8Array) {
 *   return encodeBase64Url(await signer.sign(signingInput));
 * }
 * ```
 */
export interface Signer {
  readonly algorithm: SignatureAlgorithm;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/**
 * A software key pair: the private key is for the host's secure storage only.
 *
 * @example
 * ```ts
 * const signer: SoftwareSigner = createSoftwareSigner({ algorithm: 'EdDSA' });
 * await secureStore.set('server-key', signer.exportPrivateKey());
 * ```
 */
export interface SoftwareSigner extends Signer {
  /** Export a copy of the private key (32 bytes) for secure storage. Never log it. */
  exportPrivateKey(): Uint8Array;
}

function checkAlgorithm(algorithm: unknown): asserts algorithm is SignatureAlgorithm {
  if (algorithm !== 'ES256' && algorithm !== 'EdDSA') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"algorithm" expected ES256 or EdDSA');
  }
}

/**
 * Creates a software signer from a stored private key, or a new key from `random` (through
 * {@link checkedRandom}). P-256 keys are drawn from 48 random bytes as `(c mod (n-1)) + 1`
 * (FIPS 186-5 A.2.1, negligible bias); ES256 signatures use RFC 6979 deterministic nonces and always have low S.
 * Prefer a hardware-backed key where the host has one ({@link signerFromHost}).
 *
 * @example
 * ```ts
 * const device = createSoftwareSigner({ algorithm: 'ES256' });
 * await secureStore.set('device-key', device.exportPrivateKey());
 * const again = createSoftwareSigner({ algorithm: 'ES256', privateKey: await secureStore.get('device-key') });
 * ```
 */
export function createSoftwareSigner(
  options: {
    algorithm?: SignatureAlgorithm;
    privateKey?: Uint8Array;
    random?: RandomSource;
  } = {},
): SoftwareSigner {
  const { algorithm = 'ES256', privateKey, random = systemRandom } = options ?? {};
  checkAlgorithm(algorithm);
  const draw = checkedRandom(random);
  if (algorithm === 'ES256') {
    const secret = privateKey ?? p256.utils.randomSecretKey(draw(48));
    assertBytes(secret, 'privateKey', 32);
    const key = Uint8Array.from(secret);
    let publicKey: Uint8Array;
    try {
      publicKey = p256.getPublicKey(key, false);
    } catch {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"privateKey" is not a valid P-256 private key');
    }
    return Object.freeze({
      algorithm,
      publicKey,
      // RFC 6979 deterministic nonces: no dependence on the runtime's RNG quality at sign time.
      sign: async (message: Uint8Array) => {
        assertBytes(message, 'message');
        return normalizeP256Signature(p256.sign(message, key, { prehash: true, lowS: true, format: 'compact' }), 'raw');
      },
      exportPrivateKey: () => Uint8Array.from(key),
    });
  }
  const secret = privateKey ?? draw(32);
  assertBytes(secret, 'privateKey', 32);
  const key = Uint8Array.from(secret);
  const publicKey = ed25519.getPublicKey(key);
  return Object.freeze({
    algorithm,
    publicKey,
    sign: async (message: Uint8Array) => {
      assertBytes(message, 'message');
      return ed25519.sign(message, key);
    },
    exportPrivateKey: () => Uint8Array.from(key),
  });
}

// Hosts return what their platform gives: a Uint8Array, a Node Buffer, another view, or the
// ArrayBuffer that crypto.subtle.sign resolves to.
function hostBytes(out: unknown): Uint8Array {
  if (isBytes(out)) return out;
  if (out instanceof ArrayBuffer) return new Uint8Array(out);
  if (ArrayBuffer.isView(out)) return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  throw new CloudMfaError('ERR_SIGNATURE_FORMAT', `host signer returned ${describe(out)} instead of bytes`);
}

/**
 * Adapts a host key (Secure Enclave, Android Keystore, HSM, WebCrypto non-extractable key)
 * to a {@link Signer}. The public key is checked (an uncompressed P-256 point for ES256, an
 * Ed25519 point for EdDSA) and copied.
 *
 * The host's `sign` may return a `Uint8Array`, any `ArrayBufferView` or an `ArrayBuffer`. For
 * ES256 it may be DER or raw (`signatureFormat`, default `'auto'`: 64 bytes are raw); it is
 * converted to raw `r || s` with low S. Malformed output throws `ERR_SIGNATURE_FORMAT`. When the
 * host throws (a cancelled biometric prompt, an invalidated key) the signer throws
 * `ERR_SIGNER_FAILED` with the host's error as `cause`.
 *
 * @example
 * ```ts
 * const signer = signerFromHost({
 *   algorithm: 'ES256',
 *   publicKey: await enclave.publicKey(),
 *   sign: (bytes) => enclave.signSha256(bytes), // returns DER
 *   signatureFormat: 'der',
 * });
 * ```
 */
export function signerFromHost(host: {
  algorithm: SignatureAlgorithm;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
  signatureFormat?: P256SignatureFormat;
}): Signer {
  if (typeof host !== 'object' || host === null) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"host" expected an object, got ${describe(host)}`);
  }
  const { algorithm, signatureFormat = 'auto' } = host;
  checkAlgorithm(algorithm);
  const hostSign: unknown = host.sign;
  if (typeof hostSign !== 'function') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"sign" expected a function, got ${describe(hostSign)}`);
  }
  if (signatureFormat !== 'auto' && signatureFormat !== 'der' && signatureFormat !== 'raw') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"signatureFormat" expected auto, der or raw');
  }
  const callHost = async (message: Uint8Array): Promise<Uint8Array> => {
    assertBytes(message, 'message');
    let out: unknown;
    try {
      out = await hostSign.call(host, message);
    } catch (cause) {
      throw new CloudMfaError('ERR_SIGNER_FAILED', 'the host signer failed', { cause });
    }
    return hostBytes(out);
  };

  if (algorithm === 'ES256') {
    assertBytes(host.publicKey, 'publicKey', 65);
    try {
      p256.Point.fromBytes(host.publicKey).assertValidity();
    } catch {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"publicKey" is not a valid uncompressed P-256 point');
    }
    return Object.freeze({
      algorithm,
      publicKey: Uint8Array.from(host.publicKey),
      sign: async (message: Uint8Array) => normalizeP256Signature(await callHost(message), signatureFormat),
    });
  }
  assertBytes(host.publicKey, 'publicKey', 32);
  try {
    ed25519.Point.fromBytes(host.publicKey, false);
  } catch {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"publicKey" is not a valid Ed25519 point');
  }
  return Object.freeze({
    algorithm,
    publicKey: Uint8Array.from(host.publicKey),
    sign: async (message: Uint8Array) => {
      const sig = await callHost(message);
      if (sig.length !== 64) throw new CloudMfaError('ERR_SIGNATURE_FORMAT', `Ed25519 signature expected 64 bytes, got ${sig.length}`);
      return Uint8Array.from(sig);
    },
  });
}
