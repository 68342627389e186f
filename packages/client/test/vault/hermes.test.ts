import { fileURLToPath } from 'node:url';
import { bytesToHex, decodeBase32 } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { runInHermes } from '../../../../scripts/hermes/harness.mjs';

describe('the vault inside Hermes', () => {
  // Bundles the BUILT package (`pnpm --filter @cloudmfa/client build` first; `pnpm test` builds
  // everything before vitest).
  // The frozen vector opens at its real cost (scrypt N = 2^14 in pure JS: 60-110 s on a loaded
  // 2-core machine), so the limit is the same generous one as the client story's Hermes run.
  it('opens the frozen vector, runs a PIN/biometric life cycle, a backup and an Aegis import', async () => {
    const { result } = await runInHermes(fileURLToPath(new URL('./hermes/entry.ts', import.meta.url)), 'client-vault', { timeoutMs: 500_000 });
    expect(result.frozenRight).toEqual({ ok: true });
    expect(result.frozenContents).toBe('{"identities":[{"issuer":"Example","secret":"JBSWY3DPEHPK3PXP"}]}');
    expect(result.oldPin).toBe(false);
    expect(result.newPin).toBe(true);
    expect(result.bio).toBe(true);
    expect(result.autoLocked).toBe('locked');
    // Full-width digits normalise to the PIN '5678' where the engine has
    // String.prototype.normalize, or refuse with a typed error where it has none.
    expect([true, 'ERR_CRYPTO_UNSUPPORTED']).toContain(result.nonAsciiPin);
    expect(result.reopened).toBe('contents in hermes');
    expect(result.backupBack).toBe('backup in hermes');
    expect(result.backupWrong).toBe('ERR_BACKUP_PASSWORD');
    expect(result.aegis).toEqual([
      `totp:Northwind:ana:${bytesToHex(decodeBase32('B5BONHF6BEZPIGIADPSTINVJKM')).slice(0, 8)}`,
      `totp:Contoso:ben:${bytesToHex(decodeBase32('LGLYWYGME3HQVT7V5NODXAB5OQ')).slice(0, 8)}`,
      `totp:Fabrikam:chloe:${bytesToHex(decodeBase32('7WP6ZG44BSTLGXKFMDFM6RV7CE')).slice(0, 8)}`,
      `hotp:Tailspin:dev:${bytesToHex(decodeBase32('URUZP5JKIRYQYGZ5HLOCPDDL2M')).slice(0, 8)}`,
      `hotp:Woodgrove:emma:${bytesToHex(decodeBase32('RDJ6FAVAG6LCVBWS3LPPQOZTXQ')).slice(0, 8)}`,
      `hotp:Litware:femi:${bytesToHex(decodeBase32('UAHIEDQXJJKUTUVQSUNOA7RC6U')).slice(0, 8)}`,
    ]);
    expect(result.aegisSkipped).toEqual(['steam']);
    // For the record (not a bound): the default-cost unlock in this Hermes, pure-JS scrypt.
    console.log(`hermes: frozen vector unlock (N=2^14, pure JS) ${String(result.frozenUnlockMs)} ms; non-ASCII PIN: ${String(result.nonAsciiPin)}`);
  }, 520_000);
});
