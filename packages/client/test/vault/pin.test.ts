import { utf8Encode } from '@cloudmfa/core';
import { describe, expect, it, vi } from 'vitest';
import { parseRecord, KIND_VAULT } from '../../src/vault/format.js';
import { DEFAULT_PIN_DELAYS, openVault, type OpenVaultOptions, type UnlockResult } from '../../src/vault/index.js';
import { decodePointer } from '../../src/vault/records.js';
import { FAST_KDF, fakeBiometrics, fixedClock, hangingCrypto, inspectableStore, rejection, seededRandom, T0, thrown, throwingCrypto } from './helpers.js';

const PIN = '482913';

async function pinVault(options: Partial<OpenVaultOptions> = {}) {
  const store = inspectableStore();
  const now = fixedClock(T0);
  const vault = await openVault({ store, now, random: seededRandom('pin'), pinKdf: FAST_KDF, ...options });
  await vault.write(utf8Encode('contents'));
  await vault.setPin(PIN);
  vault.lock();
  return { store, now, vault };
}

describe('the wrong-PIN counter', () => {
  it('survives a crash between count and check: the KDF never returns, the reopened vault shows the attempt', async () => {
    const { store } = await pinVault();
    const dying = await openVault({ store, crypto: hangingCrypto(), pinKdf: FAST_KDF });
    void dying.unlock('000000'); // never settles: the process "dies" during the KDF
    await vi.waitFor(() => expect(store.map.has('cloudmfa.vault.pin')).toBe(true));
    const reopened = await openVault({ store, pinKdf: FAST_KDF });
    expect(reopened.status().failedPinAttempts).toBe(1);
    // Even the right PIN is counted while its check is in flight.
    const dying2 = await openVault({ store, crypto: hangingCrypto(), pinKdf: FAST_KDF });
    void dying2.unlock(PIN);
    await vi.waitFor(async () => expect((await openVault({ store, pinKdf: FAST_KDF })).status().failedPinAttempts).toBe(2));
  });

  it('a KDF that throws leaves the attempt counted (ERR_VAULT_KDF_FAILED)', async () => {
    const { store } = await pinVault();
    const broken = await openVault({ store, crypto: throwingCrypto(), pinKdf: FAST_KDF });
    expect((await rejection(broken.unlock('000000'))).code).toBe('ERR_VAULT_KDF_FAILED');
    expect(broken.status().failedPinAttempts).toBe(1);
    expect((await openVault({ store, pinKdf: FAST_KDF })).status().failedPinAttempts).toBe(1);
  });

  it('a store that cannot persist the count refuses the attempt before the KDF', async () => {
    const { store } = await pinVault();
    let scrypts = 0;
    const vault = await openVault({
      store: { ...store, set: async () => Promise.reject(new Error('disk full')) },
      crypto: { ...hangingCrypto(), scrypt: async () => { scrypts++; return new Uint8Array(32); } },
      pinKdf: FAST_KDF,
    });
    expect((await rejection(vault.unlock(PIN))).code).toBe('ERR_VAULT_STORE');
    expect(scrypts).toBe(0);
  });

  it('100 parallel unlock calls with wrong PINs are all counted', async () => {
    const { store, vault } = await pinVault({ pinDelays: [] });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => vault.unlock(String(100000 + i))));
    const counts = results.map((r) => (r.ok === false && r.reason === 'wrong-pin' ? r.failedPinAttempts : -1));
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(vault.status().failedPinAttempts).toBe(100);
    expect((await openVault({ store, pinKdf: FAST_KDF })).status().failedPinAttempts).toBe(100);
  });

  it('100 parallel calls under the default delays: each tested PIN counted, the rest refused untested', async () => {
    const { vault } = await pinVault();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => vault.unlock(String(100000 + i))));
    const wrong = results.filter((r) => !r.ok && r.reason === 'wrong-pin');
    const tooSoon = results.filter((r) => !r.ok && r.reason === 'too-soon');
    expect(wrong).toHaveLength(5);
    expect(tooSoon).toHaveLength(95);
    expect(vault.status()).toMatchObject({ failedPinAttempts: 5, retryAt: T0 + 30_000 });
  });

  it('growing delays on a pinned clock; a right PIN resets them', async () => {
    const { vault, now } = await pinVault();
    const attempt = (pin = '000000'): Promise<UnlockResult> => vault.unlock(pin);
    for (let i = 1; i <= 4; i++) expect(await attempt()).toMatchObject({ reason: 'wrong-pin', failedPinAttempts: i, retryAt: null });
    expect(await attempt()).toEqual({ ok: false, reason: 'wrong-pin', failedPinAttempts: 5, retryAt: T0 + 30_000, attemptsLeft: null });
    expect(await attempt(PIN)).toEqual({ ok: false, reason: 'too-soon', retryAt: T0 + 30_000 });
    now.advance(29_999);
    expect(await attempt(PIN)).toMatchObject({ reason: 'too-soon' });
    now.advance(1);
    const t6 = now();
    expect(await attempt()).toMatchObject({ reason: 'wrong-pin', failedPinAttempts: 6, retryAt: t6 + 60_000 });
    now.advance(60_000);
    const t7 = now();
    expect(await attempt()).toMatchObject({ failedPinAttempts: 7, retryAt: t7 + 300_000 });
    now.advance(300_000);
    expect(await attempt()).toMatchObject({ failedPinAttempts: 8, retryAt: now() + 900_000 });
    now.advance(900_000);
    expect(await attempt()).toMatchObject({ failedPinAttempts: 9, retryAt: now() + 3_600_000 });
    now.advance(3_600_000);
    expect(await attempt()).toMatchObject({ failedPinAttempts: 10, retryAt: now() + 3_600_000 }); // the last wait repeats
    expect(vault.status()).toMatchObject({ state: 'locked', failedPinAttempts: 10, retryAt: now() + 3_600_000 });
    now.advance(3_600_000);
    expect(await attempt(PIN)).toEqual({ ok: true });
    expect(vault.status()).toMatchObject({ failedPinAttempts: 0, retryAt: null });
    expect(DEFAULT_PIN_DELAYS).toHaveLength(9);
  });

  it('the phone clock going back neither cancels nor eternalises a wait', async () => {
    const { vault, now } = await pinVault({ pinDelays: [30_000] });
    expect(await vault.unlock('000000')).toMatchObject({ retryAt: T0 + 30_000 });
    now.set(T0 - 86_400_000); // a day back
    expect(await vault.unlock(PIN)).toEqual({ ok: false, reason: 'too-soon', retryAt: T0 - 86_400_000 + 30_000 });
    now.advance(30_000);
    expect(await vault.unlock(PIN)).toEqual({ ok: true });
  });

  it('wipes after maxPinAttempts wrong PINs', async () => {
    const { store, vault } = await pinVault({ maxPinAttempts: 3, pinDelays: [] });
    expect(await vault.unlock('000000')).toMatchObject({ reason: 'wrong-pin', attemptsLeft: 2 });
    expect(await vault.unlock('000001')).toMatchObject({ reason: 'wrong-pin', attemptsLeft: 1 });
    expect(await vault.unlock('000002')).toEqual({ ok: false, reason: 'wiped' });
    expect(store.map.size).toBe(0);
    expect(vault.status().state).toBe('wiped');
    expect(await vault.unlock(PIN)).toEqual({ ok: false, reason: 'wiped' });
    expect(thrown(() => vault.read()).code).toBe('ERR_VAULT_WIPED');
  });

  it('a crash between the last count and the wipe still wipes at the next attempt', async () => {
    const { store } = await pinVault({ maxPinAttempts: 1, pinDelays: [] });
    const dying = await openVault({ store, crypto: hangingCrypto(), pinKdf: FAST_KDF, maxPinAttempts: 1 });
    void dying.unlock('000000');
    await vi.waitFor(() => expect(store.map.has('cloudmfa.vault.pin')).toBe(true));
    const next = await openVault({ store, pinKdf: FAST_KDF, maxPinAttempts: 1 });
    expect(await next.unlock(PIN)).toEqual({ ok: false, reason: 'wiped' });
    expect(store.map.size).toBe(0);
  });
});

describe('auto-lock and activity', () => {
  it('locks after the idle time on a pinned clock; touch restarts it', async () => {
    const { vault, now } = await pinVault({ autoLockMs: 60_000 });
    expect(await vault.unlock(PIN)).toEqual({ ok: true });
    now.advance(59_999);
    expect(vault.status().state).toBe('unlocked');
    vault.touch();
    now.advance(59_999);
    expect(vault.read()).toEqual(utf8Encode('contents'));
    now.advance(1);
    expect(vault.status().state).toBe('locked');
    expect(thrown(() => vault.read()).code).toBe('ERR_VAULT_LOCKED');
    expect((await rejection(vault.write(utf8Encode('x')))).code).toBe('ERR_VAULT_LOCKED');
  });

  it('read and write do not count as activity; autoLockMs 0 never locks; a device vault never locks', async () => {
    const a = await pinVault({ autoLockMs: 1000 });
    await a.vault.unlock(PIN);
    a.now.advance(600);
    await a.vault.write(utf8Encode('y'));
    a.vault.read();
    a.now.advance(400);
    expect(a.vault.status().state).toBe('locked');

    const b = await pinVault({ autoLockMs: 0 });
    await b.vault.unlock(PIN);
    b.now.advance(365 * 86_400_000);
    expect(b.vault.status().state).toBe('unlocked');

    const now = fixedClock(T0);
    const c = await openVault({ store: inspectableStore(), now, autoLockMs: 1000, pinKdf: FAST_KDF });
    now.advance(10_000);
    c.lock();
    expect(c.status().state).toBe('unlocked');
  });
});

describe('PIN changes', () => {
  it('changePin re-wraps the master key only: the contents ciphertext is unchanged', async () => {
    const { store, vault } = await pinVault();
    await vault.unlock(PIN);
    const record = () => {
      const p = decodePointer(store.map.get('cloudmfa.vault.ptr') as Uint8Array);
      const r = parseRecord(store.map.get(`cloudmfa.vault.v${p?.which}`) as Uint8Array, KIND_VAULT);
      if (!r.ok) throw new Error('parse');
      return r.record;
    };
    const before = record();
    await vault.changePin('135790');
    const after = record();
    expect(after.contentsNonce).toEqual(before.contentsNonce);
    expect(after.contentsCiphertext).toEqual(before.contentsCiphertext);
    expect(after.slots[0]?.wrapped).not.toEqual(before.slots[0]?.wrapped);
    expect(after.headerNonce).not.toEqual(before.headerNonce);
    expect([...store.map.keys()].filter((k) => /\.v[01]$/.test(k))).toHaveLength(1); // the old PIN's record is gone
    vault.lock();
    expect(await vault.unlock(PIN)).toMatchObject({ reason: 'wrong-pin' });
    expect(await vault.unlock('135790')).toEqual({ ok: true });
    expect(vault.read()).toEqual(utf8Encode('contents'));
  });

  it('setPin rotates the master key (the device key could read the old one) and deletes the device key', async () => {
    const store = inspectableStore();
    const vault = await openVault({ store, random: seededRandom('rotate'), pinKdf: FAST_KDF });
    await vault.write(utf8Encode('contents'));
    const deviceRecord = store.map.get('cloudmfa.vault.v1') as Uint8Array;
    await vault.setPin(PIN);
    const pinRecord = store.map.get('cloudmfa.vault.v0') as Uint8Array;
    expect(store.map.has('cloudmfa.vault.v1')).toBe(false);
    expect(store.map.has('cloudmfa.vault.dev')).toBe(false);
    const a = parseRecord(deviceRecord, KIND_VAULT);
    const b = parseRecord(pinRecord, KIND_VAULT);
    if (!a.ok || !b.ok) throw new Error('parse');
    expect(b.record.contentsCiphertext).not.toEqual(a.record.contentsCiphertext);
    expect(b.record.sealedKey).not.toEqual(a.record.sealedKey);
  });
});

describe('biometric slot (fake host seam)', () => {
  it('enable, unlock with biometrics, cancel, invalid key, disable', async () => {
    const bio = fakeBiometrics();
    const { store, vault } = await pinVault({ biometrics: bio });
    expect((await rejection(vault.enableBiometrics())).code).toBe('ERR_VAULT_LOCKED');
    await vault.unlock(PIN);
    await vault.enableBiometrics();
    expect(bio.key).toHaveLength(32);
    expect(vault.status()).toMatchObject({ hasBiometrics: true });
    vault.lock();
    expect(await vault.unlockWithBiometrics({ title: 'Unlock CloudMFA' })).toEqual({ ok: true });
    expect(bio.prompts).toEqual(['Unlock CloudMFA']);
    expect(vault.read()).toEqual(utf8Encode('contents'));
    vault.lock();
    bio.answer = 'cancel';
    expect(await vault.unlockWithBiometrics({ title: 't' })).toEqual({ ok: false, reason: 'cancelled' });
    bio.answer = 'throw';
    expect(await vault.unlockWithBiometrics({ title: 't' })).toEqual({ ok: false, reason: 'cancelled' });
    bio.answer = 'other';
    expect(await vault.unlockWithBiometrics({ title: 't' })).toEqual({ ok: false, reason: 'biometrics-invalid' });
    expect(vault.status()).toMatchObject({ state: 'locked', failedPinAttempts: 0 }); // biometrics are not PIN attempts
    bio.answer = 'key';
    // Survives a reopen.
    const again = await openVault({ store, biometrics: bio, pinKdf: FAST_KDF });
    expect(await again.unlockWithBiometrics({ title: 't' })).toEqual({ ok: true });
    await again.disableBiometrics();
    expect(bio.key).toBeNull();
    expect(again.status().hasBiometrics).toBe(false);
    again.lock();
    expect((await rejection(again.unlockWithBiometrics({ title: 't' }))).code).toBe('ERR_VAULT_STATE');
  });

  it('removePin removes the biometric slot too; biometrics need a PIN and a seam', async () => {
    const bio = fakeBiometrics();
    const store = inspectableStore();
    const vault = await openVault({ store, biometrics: bio, pinKdf: FAST_KDF });
    expect((await rejection(vault.enableBiometrics())).code).toBe('ERR_VAULT_STATE');
    await vault.setPin(PIN);
    await vault.enableBiometrics();
    await vault.removePin();
    expect(vault.status()).toMatchObject({ hasPin: false, hasBiometrics: false, state: 'unlocked' });
    expect(bio.key).toBeNull();
    const noSeam = await openVault({ store: inspectableStore(), pinKdf: FAST_KDF });
    await noSeam.setPin(PIN);
    expect((await rejection(noSeam.enableBiometrics())).code).toBe('ERR_VAULT_STATE');
  });
});
