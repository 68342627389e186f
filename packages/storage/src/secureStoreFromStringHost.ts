import { decodeBase64Url, encodeBase64Url } from '@cloudmfa/core';
import { storageError } from './errors.js';
import type { SecureKeyValueStore } from './types.js';
import { assertClientKey, assertClientValue } from './validate.js';

/**
 * A host key-value API that stores strings: `expo-secure-store`, `react-native-keychain`
 * wrappers, `localStorage`. Methods may be sync or async.
 *
 * @example
 * ```ts
 * const host: StringKeyValueHost = { getItem: (k) => localStorage.getItem(k), setItem: (k, v) => localStorage.setItem(k, v), deleteItem: (k) => localStorage.removeItem(k) };
 * ```
 */
export interface StringKeyValueHost {
  getItem(key: string): Promise<string | null | undefined> | string | null | undefined;
  setItem(key: string, value: string): Promise<void> | void;
  deleteItem(key: string): Promise<void> | void;
}

/**
 * Adapts a string-only host store to a {@link SecureKeyValueStore}: bytes travel as
 * base64url. A host failure becomes `ERR_STORAGE_UNAVAILABLE` (its message is not kept: it
 * may quote the value); a stored string that is not base64url becomes `ERR_STORAGE_CORRUPT`.
 *
 * @example
 * ```ts
 * import * as SecureStore from 'expo-secure-store';
 * const secure = secureStoreFromStringHost({
 *   getItem: (k) => SecureStore.getItemAsync(k),
 *   setItem: (k, v) => SecureStore.setItemAsync(k, v),
 *   deleteItem: (k) => SecureStore.deleteItemAsync(k),
 * });
 * ```
 */
export function secureStoreFromStringHost(host: StringKeyValueHost): SecureKeyValueStore {
  if (typeof host !== 'object' || host === null || typeof host.getItem !== 'function' || typeof host.setItem !== 'function' || typeof host.deleteItem !== 'function') {
    throw storageError('ERR_STORAGE_INVALID', '"host" expected { getItem, setItem, deleteItem } functions');
  }
  const call = async <T>(what: string, fn: () => Promise<T> | T): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw storageError('ERR_STORAGE_UNAVAILABLE', `the host secure store failed to ${what}`, e);
    }
  };
  const read = async (key: string): Promise<Uint8Array | null> => {
    const text = await call('read', () => host.getItem(key));
    if (text === null || text === undefined) return null;
    try {
      return decodeBase64Url(text);
    } catch {
      throw storageError('ERR_STORAGE_CORRUPT', 'the host secure store returned a value that is not base64url');
    }
  };
  return {
    get: async (key) => {
      assertClientKey(key, 'key');
      return read(key);
    },
    set: async (key, value) => {
      assertClientKey(key, 'key');
      assertClientValue(value, 'value');
      await call('write', () => host.setItem(key, encodeBase64Url(value)));
    },
    delete: async (key) => {
      assertClientKey(key, 'key');
      // Hosts like SecureStore do not report whether the key existed: read first. The seam
      // has one writer per key (the app), so this read-then-delete is not a race in practice.
      const existed = (await call('read', () => host.getItem(key))) != null;
      await call('delete', () => host.deleteItem(key));
      return existed;
    },
  };
}
