// A stand-in for the vault seam in engine unit tests: the contract's behaviour (locked/unlocked,
// PIN slot, subscribe) with no cryptography. The story runs against the real vault.
import type { Vault, VaultStatus } from '../src/_vaultSeam.js';

export function createFakeVault(): Vault & { writes: number } {
  let contents = new Uint8Array(0);
  let pin: string | null = null;
  let unlocked = true;
  let failed = 0;
  const listeners = new Set<(s: VaultStatus) => void>();
  const status = (): VaultStatus => ({ state: unlocked ? 'unlocked' : 'locked', hasPin: pin !== null, hasBiometrics: false, failedPinAttempts: failed, retryAt: null });
  const tell = () => {
    for (const l of listeners) l(status());
  };
  const v = {
    writes: 0,
    status,
    async unlock(p: string) {
      if (pin === null || p !== pin) {
        failed++;
        return { ok: false as const, reason: 'wrong-pin' as const, failedPinAttempts: failed, retryAt: null, attemptsLeft: null };
      }
      failed = 0;
      unlocked = true;
      tell();
      return { ok: true as const };
    },
    async unlockWithBiometrics() {
      return { ok: false as const, reason: 'cancelled' as const };
    },
    lock() {
      if (pin === null) return;
      unlocked = false;
      tell();
    },
    touch() {},
    read() {
      if (!unlocked) throw new Error('locked');
      return contents.slice();
    },
    async write(c: Uint8Array) {
      if (!unlocked) throw new Error('locked');
      contents = c.slice();
      v.writes++;
    },
    async setPin(p: string) {
      pin = p;
    },
    async changePin(p: string) {
      pin = p;
    },
    async removePin() {
      pin = null;
    },
    async enableBiometrics() {},
    async disableBiometrics() {},
    subscribe(l: (s: VaultStatus) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async wipe() {
      contents = new Uint8Array(0);
    },
  };
  return v;
}
