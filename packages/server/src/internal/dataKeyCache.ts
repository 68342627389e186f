// The cache of unwrapped data keys (docs/server.md section 2.1): bounded in entries and age,
// least recently used first out, holding non-extractable WebCrypto keys, never raw bytes.
import type { Clock } from '@cloudmfa/core';
import type { DataKeyCacheOptions } from '../types.js';
import { serverError } from './errors.js';

export interface DataKeyCache {
  /**
   * The key cached under `id` for the wrapped key `wrapped`, or the one `load` makes (cached
   * only when it resolves). An entry made for other wrapped bytes is replaced.
   */
  get(id: string, wrapped: Uint8Array, load: () => Promise<CryptoKey>): Promise<CryptoKey>;
}

const MAX_ENTRIES = 1_000_000;
const MAX_TTL_MS = 86_400_000;

export function createDataKeyCache(options: DataKeyCacheOptions | undefined, clock: Clock): DataKeyCache {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw serverError('ERR_SERVER_CONFIG', '"keys.dataKeyCache" expected { maxEntries?, ttlMs? }');
  }
  const { maxEntries = 10_000, ttlMs = 300_000 } = options ?? {};
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 0 || maxEntries > MAX_ENTRIES) {
    throw serverError('ERR_SERVER_CONFIG', `"keys.dataKeyCache.maxEntries" expected an integer 0..${MAX_ENTRIES}`);
  }
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_TTL_MS) {
    throw serverError('ERR_SERVER_CONFIG', `"keys.dataKeyCache.ttlMs" expected an integer 1..${MAX_TTL_MS}`);
  }
  // Map iteration order is insertion order: re-inserting on a hit makes the first key the LRU.
  const entries = new Map<string, { key: Promise<CryptoKey>; wrapped: Uint8Array; until: number }>();
  // Not constant-time: a wrapped key is ciphertext, stored beside the secret it protects.
  const same = (a: Uint8Array, b: Uint8Array) => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  const forget = (id: string, entry: object) => {
    if (entries.get(id) === entry) entries.delete(id);
  };
  return Object.freeze({
    get(id: string, wrapped: Uint8Array, load: () => Promise<CryptoKey>): Promise<CryptoKey> {
      if (maxEntries === 0) return load();
      const now = clock();
      const hit = entries.get(id);
      if (hit) {
        entries.delete(id);
        // A hit is no extra promise: this runs on every verify.
        if (hit.until > now && same(hit.wrapped, wrapped)) {
          entries.set(id, hit);
          return hit.key;
        }
      }
      // Concurrent opens of one blob share one unwrap; a failure is removed, never cached.
      const key = load();
      const entry = { key, wrapped: wrapped.slice(), until: now + ttlMs };
      entries.set(id, entry);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      key.then(undefined, () => forget(id, entry));
      return key;
    },
  });
}
