import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORAGE_LIMITS } from '../limits.js';
import type { SecureKeyValueStore } from '../types.js';
import { expectCode } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// client secure store

/**
 * Makes a fresh, empty {@link SecureKeyValueStore}.
 *
 * @example
 * ```ts
 * const f: SecureStoreFactory = () => ({ store: createMemorySecureStore() });
 * ```
 */
export type SecureStoreFactory = () =>
  | Promise<{ store: SecureKeyValueStore; cleanup?: () => Promise<void> | void }>
  | { store: SecureKeyValueStore; cleanup?: () => Promise<void> | void };

/**
 * Options of {@link runSecureStoreConformance}.
 *
 * @example
 * ```ts
 * const options: SecureStoreConformanceOptions = { name: 'memory', factory: () => ({ store: createMemorySecureStore() }) };
 * ```
 */
export interface SecureStoreConformanceOptions {
  /** The store's name, the title of the suite's `describe` block. */
  name: string;
  /** Makes one fresh store per test. */
  factory: SecureStoreFactory;
}

/**
 * The conformance suite of the client {@link SecureKeyValueStore} seam: round trips, replace,
 * delete, copies, the key and value bounds.
 *
 * @example
 * ```ts no-run
 * runSecureStoreConformance({ name: 'memory', factory: () => ({ store: createMemorySecureStore() }) });
 * ```
 */
export function runSecureStoreConformance({ name, factory }: SecureStoreConformanceOptions): void {
  describe(`secure store conformance: ${name}`, () => {
    let store: SecureKeyValueStore;
    let cleanup: (() => Promise<void> | void) | undefined;
    beforeEach(async () => {
      const inst = await factory();
      store = inst.store;
      cleanup = inst.cleanup;
    });
    afterEach(async () => {
      await cleanup?.();
    });

    it('gets null for a missing key, then what was set, then the replacement', async () => {
      expect(await store.get('vault.header')).toBeNull();
      await store.set('vault.header', new Uint8Array([1, 2, 3]));
      expect(await store.get('vault.header')).toEqual(new Uint8Array([1, 2, 3]));
      await store.set('vault.header', new Uint8Array([4]));
      expect(await store.get('vault.header')).toEqual(new Uint8Array([4]));
      expect(await store.get('vault.slots')).toBeNull();
    });

    it('deletes, reporting whether the key existed', async () => {
      await store.set('k', new Uint8Array([1]));
      expect(await store.delete('k')).toBe(true);
      expect(await store.get('k')).toBeNull();
      expect(await store.delete('k')).toBe(false);
    });

    it('stores empty, all-byte and maximum-size values, and copies them', async () => {
      await store.set('empty', new Uint8Array(0));
      expect(await store.get('empty')).toEqual(new Uint8Array(0));
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await store.set('all', all);
      all[0] = 9;
      const read = await store.get('all');
      expect(read).toEqual(Uint8Array.from({ length: 256 }, (_, i) => i));
      read![1] = 9;
      expect((await store.get('all'))![1]).toBe(1);
      const max = new Uint8Array(STORAGE_LIMITS.clientValueBytes).fill(0x5a);
      await store.set('max', max);
      expect(await store.get('max')).toEqual(max);
    });

    it('accepts keys at the maximum length and refuses bad keys and values with ERR_STORAGE_INVALID', async () => {
      const longKey = 'k'.repeat(STORAGE_LIMITS.clientKeyLength);
      await store.set(longKey, new Uint8Array([1]));
      expect(await store.get(longKey)).toEqual(new Uint8Array([1]));
      for (const key of ['', `${longKey}k`, 'a b', 'ключ', 'a/b', 'a:b', 5, null]) {
        await expectCode(() => store.get(key as string), 'ERR_STORAGE_INVALID');
        await expectCode(() => store.set(key as string, new Uint8Array(1)), 'ERR_STORAGE_INVALID');
        await expectCode(() => store.delete(key as string), 'ERR_STORAGE_INVALID');
      }
      for (const value of [new Uint8Array(STORAGE_LIMITS.clientValueBytes + 1), [1, 2], 'AQI', null]) {
        await expectCode(() => store.set('v', value as Uint8Array), 'ERR_STORAGE_INVALID');
      }
      expect(await store.get('v')).toBeNull();
    });
  });
}
