import { utf8Decode, utf8Encode } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { openVault, type VaultStatus, wipeVault } from '../../src/vault/index.js';
import { FAST_KDF, fixedClock, inspectableStore, rejection, seededRandom, T0, thrown } from './helpers.js';

async function fresh(seed = 'basic') {
  const store = inspectableStore();
  const now = fixedClock(T0);
  const vault = await openVault({ store, now, random: seededRandom(seed), pinKdf: FAST_KDF });
  return { store, now, vault };
}

describe('openVault', () => {
  it('creates an unlocked vault with a device slot and empty contents', async () => {
    const { store, vault } = await fresh();
    expect(vault.status()).toEqual({ state: 'unlocked', hasPin: false, hasBiometrics: false, failedPinAttempts: 0, retryAt: null });
    expect(vault.read()).toEqual(new Uint8Array(0));
    expect([...store.map.keys()].sort()).toEqual(['cloudmfa.vault.dev', 'cloudmfa.vault.ptr', 'cloudmfa.vault.v0']);
  });

  it('writes, reopens with the device key, and keeps the contents', async () => {
    const { store, vault } = await fresh();
    await vault.write(utf8Encode('hello'));
    const again = await openVault({ store, pinKdf: FAST_KDF });
    expect(again.status().state).toBe('unlocked');
    expect(utf8Decode(again.read())).toBe('hello');
    // Only the current generation survives a commit.
    expect([...store.map.keys()].filter((k) => /\.v[01]$/.test(k))).toHaveLength(1);
  });

  it('setPin, lock, wrong PIN counted, right PIN unlocks and resets the count', async () => {
    const { store, vault } = await fresh();
    await vault.write(utf8Encode('seeds'));
    await vault.setPin('482913');
    expect(store.map.has('cloudmfa.vault.dev')).toBe(false);
    vault.lock();
    expect(vault.status().state).toBe('locked');
    expect(thrown(() => vault.read()).code).toBe('ERR_VAULT_LOCKED');
    expect(await vault.unlock('000000')).toEqual({ ok: false, reason: 'wrong-pin', failedPinAttempts: 1, retryAt: null, attemptsLeft: null });
    expect(vault.status().failedPinAttempts).toBe(1);
    expect(await vault.unlock('482913')).toEqual({ ok: true });
    expect(vault.status().failedPinAttempts).toBe(0);
    expect(utf8Decode(vault.read())).toBe('seeds');
    const reopened = await openVault({ store, pinKdf: FAST_KDF });
    expect(reopened.status()).toMatchObject({ state: 'locked', hasPin: true });
    expect(await reopened.unlock('482913')).toEqual({ ok: true });
    expect(utf8Decode(reopened.read())).toBe('seeds');
  });

  it('NFKC-normalises the PIN: full-width digits are the same PIN', async () => {
    const { vault } = await fresh();
    await vault.setPin('１２３４');
    vault.lock();
    expect(await vault.unlock('1234')).toEqual({ ok: true });
  });

  it('refuses misuse with typed errors', async () => {
    const { vault } = await fresh();
    expect((await rejection(vault.unlock('1234'))).code).toBe('ERR_VAULT_STATE');
    expect((await rejection(vault.changePin('1234'))).code).toBe('ERR_VAULT_STATE');
    expect((await rejection(vault.setPin('12'))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await rejection(vault.enableBiometrics())).code).toBe('ERR_VAULT_STATE');
    await vault.setPin('1234');
    expect((await rejection(vault.setPin('5678'))).code).toBe('ERR_VAULT_STATE');
    expect((await rejection(vault.write('x' as unknown as Uint8Array))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await rejection(vault.write(new Uint8Array(70_000)))).code).toBe('ERR_VAULT_TOO_LARGE');
    await expect(openVault({ store: {} as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(openVault({ store: inspectableStore(), pinKdf: { N: 2 ** 20, r: 8, p: 1, dkLen: 32 } })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('removePin goes back to a device slot under the same contents', async () => {
    const { store, vault } = await fresh();
    await vault.write(utf8Encode('x'));
    await vault.setPin('1234');
    await vault.removePin();
    expect(vault.status()).toMatchObject({ state: 'unlocked', hasPin: false });
    const again = await openVault({ store, pinKdf: FAST_KDF });
    expect(utf8Decode(again.read())).toBe('x');
  });

  it('tells subscribers about lock state changes', async () => {
    const { vault } = await fresh();
    const seen: string[] = [];
    const off = vault.subscribe((s: VaultStatus) => seen.push(`${s.state}/pin=${s.hasPin}/failed=${s.failedPinAttempts}`));
    await vault.setPin('1234');
    vault.lock();
    await vault.unlock('1234');
    off();
    vault.lock();
    // The attempt is counted (persisted) before the KDF, so a right PIN shows failed=1 briefly.
    expect(seen).toEqual(['unlocked/pin=true/failed=0', 'locked/pin=true/failed=0', 'locked/pin=true/failed=1', 'locked/pin=true/failed=0', 'unlocked/pin=true/failed=0']);
  });

  it('wipe deletes everything; the next open creates a new vault', async () => {
    const { store, vault } = await fresh();
    await vault.setPin('1234');
    await vault.wipe();
    expect(store.map.size).toBe(0);
    expect(vault.status().state).toBe('wiped');
    expect(thrown(() => vault.read()).code).toBe('ERR_VAULT_WIPED');
    expect(await vault.unlock('1234')).toEqual({ ok: false, reason: 'wiped' });
    const next = await openVault({ store, pinKdf: FAST_KDF });
    expect(next.status()).toMatchObject({ state: 'unlocked', hasPin: false });
  });

  it('wipeVault is the way out of a damaged vault', async () => {
    const { store, vault } = await fresh();
    await vault.setPin('1234');
    const key = [...store.map.keys()].find((k) => /\.v[01]$/.test(k)) as string;
    const bytes = store.map.get(key) as Uint8Array;
    bytes[20] = (bytes[20] as number) ^ 1;
    expect((await rejection(openVault({ store }))).code).toBe('ERR_VAULT_DAMAGED');
    await wipeVault({ store });
    expect(store.map.size).toBe(0);
    expect((await openVault({ store, pinKdf: FAST_KDF })).status()).toMatchObject({ state: 'unlocked', hasPin: false });
    await wipeVault({ store, keyPrefix: 'cloudmfa.vault' });
    await expect(wipeVault({ store, keyPrefix: 'bad prefix' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
