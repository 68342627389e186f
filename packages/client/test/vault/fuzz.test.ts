import { CloudMfaError, concatBytes, utf8Encode } from '@cloudmfa/core';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shortHash } from '../../src/vault/format.js';
import { openVault } from '../../src/vault/index.js';
import { encodePointer } from '../../src/vault/records.js';
import { FAST_KDF, inspectableStore, seededRandom } from './helpers.js';

// A planted record with a valid checksum and pointer exercises every parsing branch past the
// checksum: openVault and unlock fail with a vault code only, whatever the bytes.
const CODES = new Set(['ERR_VAULT_DAMAGED', 'ERR_VAULT_VERSION', 'ERR_VAULT_KDF_COST']);

describe('vault record fuzzing (fast-check, seeded)', () => {
  it('arbitrary and mutated records behind a consistent checksum and pointer: typed errors only', async () => {
    const base = inspectableStore();
    const v = await openVault({ store: base, random: seededRandom('fuzz'), pinKdf: FAST_KDF });
    await v.write(utf8Encode('x'));
    await v.setPin('1234');
    const real = [...base.map.entries()].find(([k]) => /\.v[01]$/.test(k))?.[1] as Uint8Array;
    const realBody = real.subarray(0, real.length - 32);
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((b) => concatBytes(Uint8Array.of(0x43, 0x4d, 0x46, 0x56, 1, 1), b)),
      fc.tuple(fc.nat(realBody.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(realBody.length)).map(([at, xor, cut]) => {
        const m = realBody.slice();
        m[at] = (m[at] as number) ^ xor;
        return m.subarray(0, Math.max(cut, at + 1));
      }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const record = concatBytes(b, sha256(b));
        const store = inspectableStore();
        await store.set('cloudmfa.vault.v0', record);
        await store.set('cloudmfa.vault.ptr', encodePointer({ which: 0, generation: 1, recordHash: shortHash(record, 16) }));
        await store.set('cloudmfa.vault.dev', new Uint8Array(32));
        try {
          const vault = await openVault({ store, pinKdf: FAST_KDF, pinDelays: [] });
          if (vault.status().hasPin) await vault.unlock('1234');
        } catch (err) {
          if (!(err instanceof CloudMfaError) || !CODES.has(err.code)) throw new Error(`untyped or unexpected failure: ${String(err)}`);
        }
      }),
      { seed: 4343, numRuns: 800 },
    );
    expect(real.length).toBeGreaterThan(200);
  });
});
