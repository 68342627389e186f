import { exportMigration, formatOtpauthUri } from '@cloudmfa/otp/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScanner, type ScanResult } from '../src/_scan.js';
import { makeWorld } from './helpers.js';

const NOW = Date.UTC(2026, 2, 2, 9, 0, 0);
const scan = (text: unknown, clockKnown = true): ScanResult => createScanner().scan(text, NOW, clockKnown).result;
const URI = formatOtpauthUri({ type: 'totp', secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', issuer: 'Acme', account: 'alice' }).uri;
const FAILURES = new Set([
  'empty',
  'too-long',
  'unrecognised',
  'activation-malformed',
  'activation-version',
  'activation-expired',
  'otpauth-invalid',
  'migration-invalid',
  'migration-other-batch',
  'migration-duplicate',
]);

describe('scan routing', () => {
  it('routes envelopes, otpauth URIs and migration parts; trims whitespace; schemes are case-insensitive', async () => {
    const w = makeWorld();
    const a = await w.mfa.startActivation({ userId: 'alice' });
    await w.close();
    const envelope = scan(`\uFEFF  ${a.text}\r\n\t`);
    expect(envelope).toMatchObject({ ok: true, kind: 'activation', mode: 'online' });
    expect(scan(` ${URI}\n`)).toEqual({ ok: true, kind: 'otpauth', type: 'totp', issuer: 'Acme', account: 'alice' });
    expect(scan(URI.replace('otpauth://', 'OTPAUTH://'))).toMatchObject({ ok: true, kind: 'otpauth' });
    const [part] = exportMigration({ accounts: [{ type: 'hotp', secret: 'JBSWY3DPEHPK3PXP', account: 'bob', counter: 5 }] });
    expect(scan(`${(part as string).replace('otpauth-migration', 'OTPAuth-Migration')}\n`)).toMatchObject({ ok: true, kind: 'migration', part: 1, of: 1, complete: true, accounts: 1 });
  });

  it('says why it did not recognise a text', async () => {
    const w = makeWorld();
    const a = await w.mfa.startActivation({ userId: 'alice' });
    await w.close();
    expect(scan('')).toEqual({ ok: false, reason: 'empty' });
    expect(scan(' \n\t ')).toEqual({ ok: false, reason: 'empty' });
    expect(scan(null)).toEqual({ ok: false, reason: 'empty' });
    expect(scan(42)).toEqual({ ok: false, reason: 'unrecognised' });
    expect(scan('https://example.com')).toEqual({ ok: false, reason: 'unrecognised' });
    expect(scan('x'.repeat(5000))).toEqual({ ok: false, reason: 'too-long' });
    // Base45 is uppercase only: a lowercased envelope is damaged, not something else.
    expect(scan(a.text.toLowerCase())).toEqual({ ok: false, reason: 'activation-malformed' });
    expect(scan(`${a.text.slice(0, 20)}`)).toEqual({ ok: false, reason: 'activation-malformed' });
    expect(scan('otpauth://totp/Acme:alice?secret=!!!')).toEqual({ ok: false, reason: 'otpauth-invalid' });
    expect(scan('otpauth-migration://offline?data=%%%')).toEqual({ ok: false, reason: 'migration-invalid' });
    // A phone that never heard a server does not call an online envelope expired (the server's clock decides).
    expect(createScanner().scan(a.text, a.expiresAt + 61_000, true).result).toEqual({ ok: false, reason: 'activation-expired' });
    expect(createScanner().scan(a.text, a.expiresAt + 61_000, false).result).toMatchObject({ ok: true, kind: 'activation' });
  });

  it('fuzz (seeded): any text, mutated codes and prefixes give a typed result, never a throw', async () => {
    const w = makeWorld();
    const a = await w.mfa.startActivation({ userId: 'alice' });
    await w.close();
    const [part] = exportMigration({ accounts: [{ type: 'totp', secret: 'JBSWY3DPEHPK3PXP', account: 'bob' }] });
    const seeds = [a.text, URI, part as string];
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.nat(), fc.string({ minLength: 0, maxLength: 4 }), fc.nat({ max: 6 }))
      .map(([s, at, ins, del]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ins + s.slice(i + del);
      });
    const prefixed = fc.tuple(fc.constantFrom('CMFA:', 'otpauth://', 'otpauth-migration://offline?data=', 'OTPAUTH://totp/'), fc.string({ maxLength: 200 })).map(([p, s]) => p + s);
    const anything = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.anything());
    fc.assert(
      fc.property(fc.oneof(mutated, prefixed, anything), fc.boolean(), (text, known) => {
        const scanner = createScanner();
        const r = scanner.scan(text, NOW, known).result;
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(FAILURES.has(r.reason)).toBe(true);
        // A second scan of the same text in the same scanner is still typed.
        const again = scanner.scan(text, NOW, known).result;
        if (!again.ok) expect(FAILURES.has(again.reason)).toBe(true);
      }),
      { seed: 0x5ca9, numRuns: 3000 },
    );
  });
});
