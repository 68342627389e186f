import { pureJsCryptoProvider, type RandomSource, systemRandom, checkedRandom } from '@cloudmfa/core';
import { createMemoryKeyRing, MEMORY_RINGS } from './internal/keyRing.js';
import type { KekProvider, KeyEncryptionKeys } from './types.js';

/**
 * The in-memory key ring as a {@link KekProvider}: 32-byte KEKs held in this process, `current`
 * wraps data keys (AES-256-GCM, docs/server.md section 2.1), every key in `keys` unwraps.
 * `createMfaServer` makes one itself from `keys.kek: { current, keys }`; make one yourself to
 * pin its `random`, or to wrap it (metrics, a fault injector) as your own provider. A ring also
 * opens rows sealed before envelope encryption (formats 0x01, 0x02). The keys are copied.
 * Bad keys throw `ERR_SERVER_CONFIG` naming the field, never a key.
 *
 * @example
 * ```ts
 * const kek = createKeyRing({ current: '2026-01', keys: { '2025-07': oldKey, '2026-01': newKey } });
 * const server = createMfaServer({ store, keys: { kek, push }, issuer: 'Acme' });
 * ```
 */
export function createKeyRing(options: KeyEncryptionKeys & { random?: RandomSource }): KekProvider {
  const { random = systemRandom } = options ?? {};
  const ring = createMemoryKeyRing(options, checkedRandom(random), pureJsCryptoProvider);
  MEMORY_RINGS.set(ring.provider, ring);
  return ring.provider;
}
