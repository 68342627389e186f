import { p256 } from '../curves.js';
import { assertInteger } from '../assert.js';
import { CloudMfaError } from '../errors.js';
import { createCryptoProvider } from './createCryptoProvider.js';
import { isLowS } from './ecdsa.js';
import { type CryptoProvider, pureJsCryptoProvider } from './provider.js';

type Subtle = {
  importKey(format: 'raw', key: Uint8Array, alg: object, extractable: boolean, usages: string[]): Promise<unknown>;
  verify(alg: object, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
};

const ECDSA_IMPORT = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_VERIFY = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * A provider whose P-256 verification uses the platform's WebCrypto (`crypto.subtle`: Node,
 * browsers, Deno, Bun, edge runtimes); everything else comes from `base` (pure JS by default).
 * On Node it verifies an order of magnitude more signatures per second than pure JS.
 * Imported public keys are cached (bounded, least-recently-used, `keyCacheSize` entries, 0 to
 * disable), so verifying many responses from one device pays the import once.
 *
 * It accepts exactly what the pure provider accepts: low S is enforced before WebCrypto is
 * asked (WebCrypto accepts both S forms), and the public key is parsed by noble and imported in
 * canonical uncompressed form (OpenSSL-based WebCrypto also takes the hybrid `06`/`07` SEC1
 * form, which noble refuses; some browsers refuse compressed keys, which noble takes). Throws
 * `ERR_CRYPTO_UNSUPPORTED` when the runtime has no `crypto.subtle`.
 *
 * @example
 * ```ts
 * const crypto = webCryptoProvider();
 * const ok = await crypto.p256Verify(devicePublicKey, signingInput, signature);
 * ```
 */
export function webCryptoProvider(options: { keyCacheSize?: number; base?: CryptoProvider } = {}): CryptoProvider {
  const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (!subtle) throw new CloudMfaError('ERR_CRYPTO_UNSUPPORTED', 'crypto.subtle is not available in this runtime');
  const { keyCacheSize = 1024, base = pureJsCryptoProvider } = options ?? {};
  assertInteger(keyCacheSize, 'keyCacheSize', 0, 1_000_000);
  const cache = new Map<string, Promise<unknown>>();

  const keyFor = (publicKey: Uint8Array): Promise<unknown> => {
    let id = '';
    for (let i = 0; i < publicKey.length; i++) id += String.fromCharCode(publicKey[i] as number);
    const hit = cache.get(id);
    if (hit) {
      cache.delete(id);
      cache.set(id, hit);
      return hit;
    }
    // Throws for anything noble refuses; the caller turns that into `false`.
    const point = p256.Point.fromBytes(publicKey);
    point.assertValidity();
    const pending = subtle.importKey('raw', point.toBytes(false), ECDSA_IMPORT, false, ['verify']);
    if (keyCacheSize > 0) {
      // A key that failed to import must not stay cached as a rejected promise.
      pending.catch(() => {
        if (cache.get(id) === pending) cache.delete(id);
      });
      cache.set(id, pending);
      if (cache.size > keyCacheSize) cache.delete(cache.keys().next().value as string);
    }
    return pending;
  };

  return createCryptoProvider({
    name: `${base.name}+webcrypto`,
    p256Verify: async (publicKey, message, signature) => {
      if (signature.length !== 64 || !isLowS(signature)) return false;
      if (publicKey.length !== 65 && publicKey.length !== 33) return false;
      try {
        return (await subtle.verify(ECDSA_VERIFY, await keyFor(publicKey), signature, message)) === true;
      } catch {
        return false;
      }
    },
    base,
  });
}
