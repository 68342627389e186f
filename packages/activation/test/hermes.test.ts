import { fileURLToPath } from 'node:url';
import { verifyRedemption } from '@cloudmfa/activation/server';
import { qrVersion, renderQrPng, renderQrSvg } from '@cloudmfa/activation/qr';
import { bytesToHex, pureJsCryptoProvider } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { runInHermes } from '../../../scripts/hermes/harness.mjs';
import vectorFile from './vectors/envelopes.json' with { type: 'json' };

const vector = (name: string) => vectorFile.vectors.find((v) => v.name === name)!;

describe('@cloudmfa/activation inside Hermes', () => {
  // Bundles the BUILT package (`npx tsup` first; `pnpm test` builds everything before vitest).
  // A cheap but real scrypt (N=2^10) keeps it quick; the default-cost timing in Hermes is
  // measured by `pnpm bench activation` (test/hermes/open-default.ts).
  it('opens envelopes, runs a whole redemption and renders the QR', async () => {
    const { result } = await runInHermes(fileURLToPath(new URL('./hermes/entry.ts', import.meta.url)), 'activation', { timeoutMs: 110_000 });
    expect(result.payload).toEqual(vector('online-scrypt-cheap').payload);
    expect(result.offlinePayload).toEqual(vector('offline-hotp-scrypt-cheap').payload);
    expect(result.wrongPasswordCode).toBe('ERR_ENVELOPE_DECRYPT');
    expect(result.seedBack).toBe(true);
    expect(result.issuerBack).toBe(vector('online-scrypt-cheap').payload.issuer);
    expect(result.accountBack).toBe('ołga@example.org');
    expect(result.previewKeys).toEqual(['expiresAt', 'issuedAt', 'issuer', 'mode', 'origin', 'otp', 'policy']);
    const full = vector('online-full-length');
    expect(result.fullPayload).toEqual(full.payload);
    expect(result.fullExpiresAt).toBe(full.now + 65_535_000);

    // The request built in Hermes verifies in Node: the two runtimes agree byte for byte.
    const cheap = vector('online-scrypt-cheap');
    const activation = cheap.payload as Parameters<typeof verifyRedemption>[0]['activation'];
    const verified = await verifyRedemption({ request: result.request, activation, expiresAt: cheap.now + 600_000, now: () => cheap.now + 10_000 });
    expect(verified.ok).toBe(true);

    // Same QR bytes in both runtimes.
    const text = vector('online-scrypt-default').text;
    expect(result.qrVersion).toBe(qrVersion({ text }));
    expect(result.qrVersion).toBe(8);
    expect(result.qrVersionFull).toBe(10);
    expect(result.svgLength).toBe(renderQrSvg({ text }).length);
    expect(result.pngSha256).toBe(bytesToHex(pureJsCryptoProvider.hash('SHA256', renderQrPng({ text }))));
    // 'auto' mode needs no TextEncoder (Hermes has none) and draws the same code as Node.
    const autoText = 'otpauth://totp/Zoë 認証 🔐:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Zoë 認証 🔐';
    expect(result.autoVersion).toBe(qrVersion({ text: autoText, mode: 'auto' }));
    expect(result.autoPngSha256).toBe(bytesToHex(pureJsCryptoProvider.hash('SHA256', renderQrPng({ text: autoText, mode: 'auto' }))));
  }, 120_000);
});
