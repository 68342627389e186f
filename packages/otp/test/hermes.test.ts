// @cloudmfa/otp inside the `hermes` binary (React Native's engine), bundled from the built
// package as Metro would: the RFC vectors, verification, a URI round trip and a migration round
// trip must give exactly what Node gives. Build first: `cd packages/otp && npx tsup`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleForHermes, runHermesFile } from '../../../scripts/hermes/harness.mjs';
import rfc4226 from './vectors/rfc4226.json';
import rfc6238 from './vectors/rfc6238.json';

describe('@cloudmfa/otp inside Hermes', () => {
  it('runs the RFC vectors, verification and URI/migration round trips with no Node APIs and no BigInt', async () => {
    const { file } = await bundleForHermes(fileURLToPath(new URL('./hermes/entry.ts', import.meta.url)), 'otp');
    // The promise of the package: no BigInt at run time (counters are two 32-bit halves).
    expect(readFileSync(file, 'utf8')).not.toMatch(/BigInt|\d+n\b/);
    const { result } = await runHermesFile(file);
    const secretHex = Array.from({ length: 20 }, (_, i) => ((i * 37 + 11) & 0xff).toString(16).padStart(2, '0')).join('');
    expect(result).toEqual({
      hotpCodes: rfc4226.vectors.map((v) => v.hotp),
      totpCodes: rfc6238.vectors.map((v) => v.totp),
      verified: rfc6238.vectors.map(() => -1),
      hotpVerify: { ok: true, delta: 9, counter: 9 },
      resync: { ok: true, delta: 8, counter: 9 },
      notDigits: { ok: false, reason: 'format' },
      uri: expect.stringMatching(/^otpauth:\/\/totp\/Acme%20Co%3A%20EU:alice@example\.com\?secret=[A-Z2-7]{32}&issuer=Acme%20Co%3A%20EU&digits=8$/),
      warnings: ['GA_DIGITS'],
      parsed: { type: 'totp', secret: secretHex, account: 'alice@example.com', issuer: 'Acme Co: EU', algorithm: 'SHA1', digits: 8, period: 30, warnings: [] },
      lenient: {
        issuer: 'Microsoft',
        labelIssuer: 'Some Company',
        account: 'bob',
        extra: [['image', 'x']],
        warnings: ['UNKNOWN_PARAMETER', 'PLUS_AS_SPACE', 'ISSUER_MISMATCH'],
      },
      migration: {
        count: 2,
        complete: true,
        batchId: -5,
        accounts: [
          ['totp', 'alice@example.com', 'Acme Co: EU', secretHex],
          ['hotp', 'bob', null, secretHex],
        ],
      },
    });
  });
});
