import { concatBytes, type CryptoProvider, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { parseRecord, shortHash, KIND_VAULT, unwrapKey } from '../../src/vault/format.js';
import { openVault } from '../../src/vault/index.js';
import { decodePointer, encodePointer } from '../../src/vault/records.js';
import { FAST_KDF, fixedClock, inspectableStore, rejection, seededRandom, T0, thrown } from './helpers.js';

const thrownCode = (fn: () => unknown): string => thrown(fn).code;

const PIN = '482913';
const PTR = 'cloudmfa.vault.ptr';

/** A PIN vault with contents and one wrong attempt counted (so the counter record exists too). */
async function pinVault() {
  const store = inspectableStore();
  const vault = await openVault({ store, now: fixedClock(T0), random: seededRandom('tamper'), pinKdf: FAST_KDF });
  await vault.write(utf8Encode('{"identities":["a","b"]}'));
  await vault.setPin(PIN);
  vault.lock();
  expect(await vault.unlock('000000')).toMatchObject({ reason: 'wrong-pin' });
  return store;
}

function currentRecordKey(store: ReturnType<typeof inspectableStore>): string {
  const p = decodePointer(store.map.get(PTR) as Uint8Array);
  return `cloudmfa.vault.v${p?.which}`;
}

/** Counts scrypt calls, so a test can say "refused before the KDF". */
function countingCrypto(): CryptoProvider & { calls: number } {
  const c = {
    ...pureJsCryptoProvider,
    name: 'counting',
    calls: 0,
    scrypt: async (pw: Uint8Array, salt: Uint8Array, params: Parameters<CryptoProvider['scrypt']>[2]) => {
      c.calls++;
      return pureJsCryptoProvider.scrypt(pw, salt, params);
    },
  };
  return c;
}

/** Writes `record` as the current one, with a consistent checksum and pointer: a deliberate edit. */
function plant(store: ReturnType<typeof inspectableStore>, edited: Uint8Array): void {
  const body = edited.subarray(0, edited.length - 32);
  const record = concatBytes(body, sha256(body));
  const key = currentRecordKey(store);
  const p = decodePointer(store.map.get(PTR) as Uint8Array);
  if (p === undefined) throw new Error('no pointer');
  store.map.set(key, record);
  store.map.set(PTR, encodePointer({ ...p, recordHash: shortHash(record, 16) }));
}

describe('every single-bit flip of a stored vault is refused as damage', () => {
  it('PIN vault: record, pointer and counter, each bit', async () => {
    const store = await pinVault();
    const keys = [currentRecordKey(store), PTR, 'cloudmfa.vault.pin'];
    let flips = 0;
    for (const key of keys) {
      const original = store.map.get(key) as Uint8Array;
      expect(original).toBeDefined();
      for (let bit = 0; bit < original.length * 8; bit++) {
        const flipped = original.slice();
        flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ 1 << (bit & 7);
        store.map.set(key, flipped);
        const crypto = countingCrypto();
        const err = await rejection(openVault({ store, crypto, pinKdf: FAST_KDF }));
        expect(err.code, `${key} bit ${bit}`).toBe('ERR_VAULT_DAMAGED');
        expect(crypto.calls).toBe(0);
        flips++;
      }
      store.map.set(key, original);
    }
    expect(flips).toBeGreaterThan(2000);
    // Restored: the vault opens and the right PIN still works.
    const vault = await openVault({ store, pinKdf: FAST_KDF });
    expect(await vault.unlock(PIN)).toEqual({ ok: true });
  });

  it('device vault: record, pointer and device key, each bit', async () => {
    const store = inspectableStore();
    const vault = await openVault({ store, random: seededRandom('device-flip'), pinKdf: FAST_KDF });
    await vault.write(utf8Encode('device contents'));
    for (const key of [currentRecordKey(store), PTR, 'cloudmfa.vault.dev']) {
      const original = store.map.get(key) as Uint8Array;
      for (let bit = 0; bit < original.length * 8; bit++) {
        const flipped = original.slice();
        flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ 1 << (bit & 7);
        store.map.set(key, flipped);
        expect((await rejection(openVault({ store, pinKdf: FAST_KDF }))).code, `${key} bit ${bit}`).toBe('ERR_VAULT_DAMAGED');
      }
      store.map.set(key, original);
    }
    expect((await openVault({ store })).read()).toEqual(utf8Encode('device contents'));
  });

  it('truncated, extended, missing or foreign records are damage', async () => {
    const store = await pinVault();
    const key = currentRecordKey(store);
    const original = store.map.get(key) as Uint8Array;
    for (const bad of [original.subarray(0, original.length - 1), concatBytes(original, new Uint8Array(1)), new Uint8Array(0)]) {
      store.map.set(key, bad);
      expect((await rejection(openVault({ store }))).code).toBe('ERR_VAULT_DAMAGED');
    }
    store.map.delete(key);
    expect((await rejection(openVault({ store }))).code).toBe('ERR_VAULT_DAMAGED');
    store.map.set(key, original);
    store.map.set('cloudmfa.vault.pin', new Uint8Array(3));
    expect((await rejection(openVault({ store }))).code).toBe('ERR_VAULT_DAMAGED');
  });
});

describe('deliberate edits (checksum and pointer recomputed)', () => {
  // Offsets in a single-PIN-slot record (docs/protocol/vault.md section 3).
  const LOG2N = 9;
  const HEADER_NONCE = 7 + 21 + 72;

  it('a PIN slot edited to cheaper KDF parameters: the right PIN does not open it, contents never read', async () => {
    const store = await pinVault();
    const original = store.map.get(currentRecordKey(store)) as Uint8Array;
    expect(original[LOG2N]).toBe(10); // FAST_KDF: N = 2^10
    const parsed = parseRecord(original, KIND_VAULT);
    if (!parsed.ok) throw new Error('parse');
    const slot = parsed.record.slots[0];
    if (slot?.kdf === undefined) throw new Error('no PIN slot');
    const slotKey = await pureJsCryptoProvider.scrypt(utf8Encode(PIN), slot.kdf.salt, { N: 1024, r: 8, p: 1, dkLen: 32 });
    expect(unwrapKey(slotKey, KIND_VAULT, slot)).toBeDefined();
    for (const [offset, value] of [
      [LOG2N + 1, 1], // r 8 -> 1
      [LOG2N + 1, 4], // r 8 -> 4
    ] as const) {
      const edited = original.slice();
      edited[offset] = value;
      plant(store, edited);
      const reparsed = parseRecord(store.map.get(currentRecordKey(store)) as Uint8Array, KIND_VAULT);
      if (!reparsed.ok) throw new Error('parse');
      // Even the slot key of the original parameters no longer unwraps: the wrap binds them.
      expect(unwrapKey(slotKey, KIND_VAULT, reparsed.record.slots[0] as never)).toBeUndefined();
      const vault = await openVault({ store, pinKdf: FAST_KDF });
      expect(await vault.unlock(PIN)).toMatchObject({ ok: false, reason: 'wrong-pin' });
      expect(vault.status().state).toBe('locked');
    }
  });

  it('N halved (2^11 -> 2^10, still above the floor): the right PIN does not open it', async () => {
    const store = inspectableStore();
    const vault = await openVault({ store, random: seededRandom('halved'), pinKdf: { ...FAST_KDF, N: 2048 } });
    await vault.write(utf8Encode('x'));
    await vault.setPin(PIN);
    const edited = (store.map.get(currentRecordKey(store)) as Uint8Array).slice();
    expect(edited[LOG2N]).toBe(11);
    edited[LOG2N] = 10;
    plant(store, edited);
    const reopened = await openVault({ store, pinKdf: FAST_KDF });
    expect(await reopened.unlock(PIN)).toMatchObject({ ok: false, reason: 'wrong-pin' });
    expect(thrownCode(() => reopened.read())).toBe('ERR_VAULT_LOCKED');
  });

  it('below the floor: refused as damage before the KDF', async () => {
    const store = await pinVault();
    const edited = (store.map.get(currentRecordKey(store)) as Uint8Array).slice();
    edited[LOG2N] = 9; // N = 2^9 < 2^10
    plant(store, edited);
    const crypto = countingCrypto();
    expect((await rejection(openVault({ store, crypto }))).code).toBe('ERR_VAULT_DAMAGED');
    expect(crypto.calls).toBe(0);
  });

  it('KDF parameters above the caps: ERR_VAULT_KDF_COST before the KDF', async () => {
    for (const [offset, value] of [
      [LOG2N, 18],
      [LOG2N, 255],
      [LOG2N + 1, 17],
      [LOG2N + 2, 5],
      [LOG2N + 2, 255],
    ] as const) {
      const store = await pinVault();
      const edited = (store.map.get(currentRecordKey(store)) as Uint8Array).slice();
      edited[offset] = value;
      plant(store, edited);
      const crypto = countingCrypto();
      expect((await rejection(openVault({ store, crypto }))).code).toBe('ERR_VAULT_KDF_COST');
      expect(crypto.calls).toBe(0);
    }
  });

  it('an edited header nonce (or any header byte past the slot): the PIN opens its slot, the header seal refuses: damage', async () => {
    const store = await pinVault();
    const edited = (store.map.get(currentRecordKey(store)) as Uint8Array).slice();
    edited[HEADER_NONCE] = (edited[HEADER_NONCE] as number) ^ 1;
    plant(store, edited);
    const vault = await openVault({ store, pinKdf: FAST_KDF });
    expect((await rejection(vault.unlock(PIN))).code).toBe('ERR_VAULT_DAMAGED');
  });

  it('an edited contents byte: damage after the right PIN, never a wrong PIN', async () => {
    const store = await pinVault();
    const edited = (store.map.get(currentRecordKey(store)) as Uint8Array).slice();
    edited[edited.length - 40] = (edited[edited.length - 40] as number) ^ 0x80;
    plant(store, edited);
    const vault = await openVault({ store, pinKdf: FAST_KDF });
    expect((await rejection(vault.unlock(PIN))).code).toBe('ERR_VAULT_DAMAGED');
  });

  it('a newer format version is ERR_VAULT_VERSION', async () => {
    const store = await pinVault();
    const edited = (store.map.get(currentRecordKey(store)) as Uint8Array).slice();
    edited[4] = 2;
    plant(store, edited);
    expect((await rejection(openVault({ store }))).code).toBe('ERR_VAULT_VERSION');
  });

  it('a slot removed or duplicated breaks the slot rules: damage', async () => {
    const store = await pinVault();
    const original = store.map.get(currentRecordKey(store)) as Uint8Array;
    const slot = original.subarray(7, 7 + 21 + 72);
    const twoPins = concatBytes(original.subarray(0, 6), Uint8Array.of(2), slot, slot, original.subarray(7 + 93));
    plant(store, twoPins);
    expect((await rejection(openVault({ store }))).code).toBe('ERR_VAULT_DAMAGED');
  });
});
