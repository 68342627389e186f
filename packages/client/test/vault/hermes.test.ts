import { fileURLToPath } from 'node:url';
import { bytesToHex, decodeBase32 } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { runInHermes } from '../../../../scripts/hermes/harness.mjs';

describe('the vault inside Hermes', () => {
  // Bundles the BUILT package (`pnpm --filter @cloudmfa/client build` first; `pnpm test` builds
  // everything before vitest).
  it('opens the frozen vector, runs a PIN/biometric life cycle, a backup and an Aegis import', async () => {
    const { result } = await runInHermes(fileURLToPath(new URL('./hermes/entry.ts', import.meta.url)), 'client-vault', { timeoutMs: 110_000 });
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
      `totp:Deno:Mason:${bytesToHex(decodeBase32('4SJHB4GSD43FZBAI7C2HLRJGPQ')).slice(0, 8)}`,
      `totp:SPDX:James:${bytesToHex(decodeBase32('5OM4WOOGPLQEF6UGN3CPEOOLWU')).slice(0, 8)}`,
      `totp:Airbnb:Elijah:${bytesToHex(decodeBase32('7ELGJSGXNCCTV3O6LKJWYFV2RA')).slice(0, 8)}`,
      `hotp:Issuu:James:${bytesToHex(decodeBase32('YOOMIXWS5GN6RTBPUFFWKTW5M4')).slice(0, 8)}`,
      `hotp:Air Canada:Benjamin:${bytesToHex(decodeBase32('KUVJJOM753IHTNDSZVCNKL7GII')).slice(0, 8)}`,
      `hotp:WWE:Mason:${bytesToHex(decodeBase32('5VAML3X35THCEBVRLV24CGBKOY')).slice(0, 8)}`,
    ]);
    expect(result.aegisSkipped).toEqual(['steam']);
    // For the record (not a bound): the default-cost unlock in this Hermes, pure-JS scrypt.
    console.log(`hermes: frozen vector unlock (N=2^14, pure JS) ${String(result.frozenUnlockMs)} ms; non-ASCII PIN: ${String(result.nonAsciiPin)}`);
  }, 120_000);
});
