// Test-only helpers for the vault and backup suites. Nothing here ships.
import { fixedClock, pureJsCryptoProvider, type CryptoProvider } from '@cloudmfa/core';
import { createMemorySecureStore, type SecureKeyValueStore } from '@cloudmfa/storage';
import type { BiometricKeySeam } from '../../src/vault/index.js';

/** 2026-01-01T00:00:00Z. */
export const T0 = 1_767_225_600_000;

/** Cheap scrypt so hundreds of attempts stay fast; the default cost is benchmarked apart. */
export const FAST_KDF = { N: 1024, r: 8, p: 1, dkLen: 32 };

// The deterministic byte stream (SHA-256 counter blocks) and the typed-error assertions are
// activation's test helpers, shared rather than copied.
export { rejection, seededRandom, thrown } from '../../../activation/test/helpers.js';

/** A memory store that exposes its map, so tests can read, flip and restore raw bytes. */
export function inspectableStore(): SecureKeyValueStore & { map: Map<string, Uint8Array> } {
  const inner = createMemorySecureStore();
  const map = new Map<string, Uint8Array>();
  return {
    map,
    get: async (k) => {
      await inner.get(k);
      const v = map.get(k);
      return v === undefined ? null : v.slice();
    },
    set: async (k, v) => {
      await inner.set(k, v);
      map.set(k, v.slice());
    },
    delete: async (k) => {
      await inner.delete(k);
      return map.delete(k);
    },
  };
}

export type FailMode = 'before' | 'after';

/**
 * Wraps a store so that the `failAt`-th mutating call (set or delete, counted from 0 after
 * `arm()`) throws: `'before'` without writing, `'after'` having written (a host that lost the
 * acknowledgement).
 */
export function failingStore(inner: SecureKeyValueStore): SecureKeyValueStore & {
  arm(failAt: number, mode: FailMode): void;
  disarm(): void;
  calls(): number;
} {
  let armed: { failAt: number; mode: FailMode } | undefined;
  let n = 0;
  const mutate = async <T>(op: () => Promise<T>): Promise<T> => {
    if (armed === undefined) return op();
    const i = n++;
    if (i !== armed.failAt) return op();
    if (armed.mode === 'after') await op();
    throw new Error('injected store failure (secret-free)');
  };
  return {
    get: (k) => inner.get(k),
    set: (k, v) => mutate(() => inner.set(k, v)),
    delete: (k) => mutate(() => inner.delete(k)),
    arm: (failAt, mode) => {
      armed = { failAt, mode };
      n = 0;
    },
    disarm: () => {
      armed = undefined;
    },
    calls: () => n,
  };
}

/** The host's biometric store, faked: a key kept in memory; `answer` decides what load returns. */
export function fakeBiometrics(): BiometricKeySeam & { key: Uint8Array | null; answer: 'key' | 'cancel' | 'other' | 'throw'; prompts: string[] } {
  const seam = {
    key: null as Uint8Array | null,
    answer: 'key' as 'key' | 'cancel' | 'other' | 'throw',
    prompts: [] as string[],
    save: async (key: Uint8Array) => {
      seam.key = key.slice();
    },
    load: async ({ title }: { title: string }) => {
      seam.prompts.push(title);
      if (seam.answer === 'throw') throw new Error('host prompt failed');
      if (seam.answer === 'cancel' || seam.key === null) return null;
      if (seam.answer === 'other') return new Uint8Array(32).fill(7);
      return seam.key.slice();
    },
    remove: async () => {
      seam.key = null;
    },
  };
  return seam;
}

/** A provider whose scrypt never settles: the process "dies" during the KDF. */
export function hangingCrypto(): CryptoProvider {
  return { ...pureJsCryptoProvider, name: 'hanging', scrypt: () => new Promise<Uint8Array>(() => undefined) };
}

/** A provider whose scrypt throws (a native KDF crashing). */
export function throwingCrypto(): CryptoProvider {
  return {
    ...pureJsCryptoProvider,
    name: 'throwing',
    scrypt: async () => {
      throw new Error('native scrypt crashed');
    },
  };
}

export { fixedClock };
