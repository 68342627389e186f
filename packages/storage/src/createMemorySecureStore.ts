import type { SecureKeyValueStore } from './types.js';
import { assertClientKey, assertClientValue } from './validate.js';

/**
 * A {@link SecureKeyValueStore} in memory: for tests and web sessions that must not persist.
 * Values are copied in and out.
 *
 * @example
 * ```ts
 * const secure = createMemorySecureStore();
 * await secure.set('vault.header', new Uint8Array([1, 2, 3]));
 * await secure.get('vault.header'); // Uint8Array [1, 2, 3]
 * ```
 */
export function createMemorySecureStore(): SecureKeyValueStore {
  const map = new Map<string, Uint8Array>();
  return {
    get: async (key) => {
      assertClientKey(key, 'key');
      const v = map.get(key);
      return v ? v.slice() : null;
    },
    set: async (key, value) => {
      assertClientKey(key, 'key');
      assertClientValue(value, 'value');
      map.set(key, value.slice());
    },
    delete: async (key) => {
      assertClientKey(key, 'key');
      return map.delete(key);
    },
  };
}
