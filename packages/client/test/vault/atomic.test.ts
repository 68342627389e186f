import { isDeepStrictEqual } from 'node:util';
import { utf8Decode, utf8Encode } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { openVault, type Vault } from '../../src/vault/index.js';
import { FAST_KDF, type FailMode, failingStore, fakeBiometrics, inspectableStore, seededRandom } from './helpers.js';

// The host store fails at each mutating call (set or delete) of an operation, either before
// writing or after writing (a host that lost the acknowledgement). Whatever happens, a fresh
// openVault on the same store must find the old or the new vault, never neither, and the
// instance that saw the failure must keep working.

interface Observed {
  hasPin: boolean;
  opensWith: string | null; // the PIN that opened it, or null for a device vault
  hasBiometrics: boolean;
  biometricUnlock: boolean;
  contents: string;
}

const PINS = ['1111', '2222'];

async function observe(store: ReturnType<typeof inspectableStore>, bio: ReturnType<typeof fakeBiometrics>): Promise<Observed> {
  const vault = await openVault({ store, biometrics: bio, pinKdf: FAST_KDF, pinDelays: [] });
  const s = vault.status();
  let opensWith: string | null = null;
  if (s.hasPin) {
    for (const pin of PINS) {
      if ((await vault.unlock(pin)).ok) {
        opensWith = pin;
        break;
      }
    }
    expect(opensWith, 'no known PIN opens the vault').not.toBeNull();
  }
  let biometricUnlock = false;
  if (s.hasBiometrics) {
    vault.lock();
    biometricUnlock = (await vault.unlockWithBiometrics({ title: 't' })).ok;
    if (!biometricUnlock) await vault.unlock(opensWith as string);
  }
  return { hasPin: s.hasPin, opensWith, hasBiometrics: s.hasBiometrics, biometricUnlock, contents: utf8Decode(vault.read()) };
}

interface Case {
  name: string;
  /** Brings a fresh vault to the starting state. */
  setup(vault: Vault): Promise<void>;
  op(vault: Vault): Promise<void>;
  before: Observed;
  after: Observed;
}

const base = { hasBiometrics: false, biometricUnlock: false };
const cases: Case[] = [
  {
    name: 'write (device vault)',
    setup: async (v) => v.write(utf8Encode('old')),
    op: async (v) => v.write(utf8Encode('new')),
    before: { ...base, hasPin: false, opensWith: null, contents: 'old' },
    after: { ...base, hasPin: false, opensWith: null, contents: 'new' },
  },
  {
    name: 'write (PIN vault)',
    setup: async (v) => {
      await v.write(utf8Encode('old'));
      await v.setPin('1111');
    },
    op: async (v) => v.write(utf8Encode('new')),
    before: { ...base, hasPin: true, opensWith: '1111', contents: 'old' },
    after: { ...base, hasPin: true, opensWith: '1111', contents: 'new' },
  },
  {
    name: 'setPin',
    setup: async (v) => v.write(utf8Encode('c')),
    op: async (v) => v.setPin('1111'),
    before: { ...base, hasPin: false, opensWith: null, contents: 'c' },
    after: { ...base, hasPin: true, opensWith: '1111', contents: 'c' },
  },
  {
    name: 'changePin',
    setup: async (v) => {
      await v.write(utf8Encode('c'));
      await v.setPin('1111');
    },
    op: async (v) => v.changePin('2222'),
    before: { ...base, hasPin: true, opensWith: '1111', contents: 'c' },
    after: { ...base, hasPin: true, opensWith: '2222', contents: 'c' },
  },
  {
    name: 'removePin',
    setup: async (v) => {
      await v.write(utf8Encode('c'));
      await v.setPin('1111');
    },
    op: async (v) => v.removePin(),
    before: { ...base, hasPin: true, opensWith: '1111', contents: 'c' },
    after: { ...base, hasPin: false, opensWith: null, contents: 'c' },
  },
  {
    name: 'enableBiometrics',
    setup: async (v) => {
      await v.write(utf8Encode('c'));
      await v.setPin('1111');
    },
    op: async (v) => v.enableBiometrics(),
    before: { ...base, hasPin: true, opensWith: '1111', contents: 'c' },
    after: { hasPin: true, opensWith: '1111', hasBiometrics: true, biometricUnlock: true, contents: 'c' },
  },
  {
    name: 'disableBiometrics',
    setup: async (v) => {
      await v.write(utf8Encode('c'));
      await v.setPin('1111');
      await v.enableBiometrics();
    },
    op: async (v) => v.disableBiometrics(),
    before: { hasPin: true, opensWith: '1111', hasBiometrics: true, biometricUnlock: true, contents: 'c' },
    after: { ...base, hasPin: true, opensWith: '1111', contents: 'c' },
  },
];

async function start(c: Case, seed: string) {
  const inner = inspectableStore();
  const store = failingStore(inner);
  const bio = fakeBiometrics();
  const vault = await openVault({ store, biometrics: bio, random: seededRandom(seed), pinKdf: FAST_KDF, pinDelays: [] });
  await c.setup(vault);
  return { inner, store, bio, vault };
}

describe('the host store failing at each write step leaves the old or the new vault', () => {
  for (const c of cases) {
    it(c.name, async () => {
      // A clean run counts the mutating calls of the operation.
      const clean = await start(c, c.name);
      clean.store.arm(Number.MAX_SAFE_INTEGER, 'before');
      await c.op(clean.vault);
      const steps = clean.store.calls();
      expect(steps).toBeGreaterThanOrEqual(2);
      expect(await observe(clean.inner, clean.bio)).toEqual(c.after);

      const outcomes = new Set<string>();
      for (let failAt = 0; failAt < steps; failAt++) {
        for (const mode of ['before', 'after'] as FailMode[]) {
          const run = await start(c, c.name);
          run.store.arm(failAt, mode);
          let failed = false;
          try {
            await c.op(run.vault);
          } catch (err) {
            failed = true;
            expect(err).toMatchObject({ code: 'ERR_VAULT_STORE' });
          }
          run.store.disarm();
          const seen = await observe(run.inner, run.bio);
          const which = isDeepStrictEqual(seen, c.after) ? 'new' : 'old';
          expect(seen, `${c.name} failing at step ${failAt} (${mode})`).toEqual(which === 'new' ? c.after : c.before);
          // A call that resolved did commit.
          if (!failed) expect(which).toBe('new');
          outcomes.add(`${failAt}/${mode}:${which}`);

          // The instance that saw the failure keeps working: one more write lands.
          if (run.vault.status().state === 'unlocked') {
            await run.vault.write(utf8Encode('after'));
            expect((await observe(run.inner, run.bio)).contents).toBe('after');
          }
        }
      }
      // Both outcomes really occur: failures early keep the old vault, late ones the new.
      expect([...outcomes].some((o) => o.endsWith(':old'))).toBe(true);
      expect([...outcomes].some((o) => o.endsWith(':new'))).toBe(true);
    });
  }
});

describe('creating a vault when the store fails at each step', () => {
  it('leaves no vault (the next open creates one) or a complete empty one', async () => {
    for (let failAt = 0; failAt < 5; failAt++) {
      for (const mode of ['before', 'after'] as FailMode[]) {
        const inner = inspectableStore();
        const store = failingStore(inner);
        store.arm(failAt, mode);
        await openVault({ store, random: seededRandom('create'), pinKdf: FAST_KDF }).catch((err) => {
          expect(err).toMatchObject({ code: 'ERR_VAULT_STORE' });
        });
        const vault = await openVault({ store: inner, pinKdf: FAST_KDF });
        expect(vault.status()).toMatchObject({ state: 'unlocked', hasPin: false, failedPinAttempts: 0 });
        expect(vault.read()).toEqual(new Uint8Array(0));
      }
    }
  });
});
