import { checkedRandom, createSoftwareSigner, type RandomSource, systemRandom } from '@cloudmfa/core';
import type { SecureKeyValueStore } from '@cloudmfa/storage';
import { clientError } from './errors.js';
import type { DeviceKeySeam } from './types.js';

const HANDLE = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The software fallback of the {@link DeviceKeySeam}: P-256 keys made with `random` and kept
 * in the host's secure storage under `<keyPrefix>.<handle>`. Use it where the platform offers
 * no hardware key store; prefer Secure Enclave / Android Keystore keys through `signerFromHost`.
 *
 * @example
 * ```ts
 * const deviceKeys = createSoftwareDeviceKeys({ store: secureStore });
 * const auth = await createAuthenticator({ store: secureStore, deviceKeys });
 * ```
 */
export function createSoftwareDeviceKeys(options: { store: SecureKeyValueStore; keyPrefix?: string; random?: RandomSource }): DeviceKeySeam {
  if (typeof options !== 'object' || options === null || typeof options.store?.get !== 'function') {
    throw clientError('ERR_INVALID_ARGUMENT', '"options.store" expected a SecureKeyValueStore');
  }
  const { store, keyPrefix = 'cloudmfa.devicekey', random = systemRandom } = options;
  const draw = checkedRandom(random);
  const keyOf = (handle: string): string => {
    if (typeof handle !== 'string' || !HANDLE.test(handle)) throw clientError('ERR_INVALID_ARGUMENT', '"handle" expected 1..100 of [A-Za-z0-9._-]');
    return `${keyPrefix}.${handle}`;
  };
  return {
    async create(handle) {
      const key = keyOf(handle);
      const signer = createSoftwareSigner({ algorithm: 'ES256', random: draw });
      const privateKey = signer.exportPrivateKey();
      await store.set(key, privateKey);
      privateKey.fill(0);
      return { algorithm: signer.algorithm, publicKey: signer.publicKey, sign: (m) => signer.sign(m) };
    },
    async load(handle) {
      const privateKey = await store.get(keyOf(handle));
      if (!privateKey) return null;
      const signer = createSoftwareSigner({ algorithm: 'ES256', privateKey });
      privateKey.fill(0);
      return { algorithm: signer.algorithm, publicKey: signer.publicKey, sign: (m) => signer.sign(m) };
    },
    async remove(handle) {
      await store.delete(keyOf(handle));
    },
  };
}
