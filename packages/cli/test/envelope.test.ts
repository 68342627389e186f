import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEnvelope, readEnvelopeHeader } from '@cloudmfa/activation';
import { createActivationPayload, generatePassword } from '@cloudmfa/activation/server';
import { qrVersion } from '@cloudmfa/activation/qr';
import { describe, expect, it } from 'vitest';
import { NOW_S, OFFLINE_URI, PASSWORD, SEED_B32, sealOffline } from './envelopeFixtures.js';
import { run, seededRandom, spawnBin } from './helpers.js';

const PW = ['--password', PASSWORD];
const at = (s: number) => ['--now', String(s)];
const tmp = () => mkdtempSync(join(tmpdir(), 'cloudmfa-cli-'));

describe('cloudmfa envelope password', () => {
  it('prints a generated password from the injected CSPRNG: 3 groups of 4 Crockford symbols', async () => {
    const r = await run(['envelope', 'password'], { seed: 9 });
    expect(r).toEqual({ status: 0, stdout: `${generatePassword({ random: seededRandom(9) })}\n`, stderr: '' });
    expect(r.stdout).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\n$/);
  });
});

describe('cloudmfa envelope seal / open (offline)', () => {
  it('round-trips an otpauth identity and prints the payload with its otpauth URI', async () => {
    const text = await sealOffline();
    expect(text).toMatch(/^CMFA:[0-9A-Z $%*+\-./:]+$/);
    const r = await run(['envelope', 'open', text, ...PW, ...at(NOW_S + 10)]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      mode: 'offline',
      secret: SEED_B32,
      issuer: 'Acme Corp',
      account: 'jane@acme.test',
      policy: { pinRequired: false, minPinLength: 6, biometricsAllowed: true },
      otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
      issuedAt: NOW_S,
      expiresAt: NOW_S + 300,
      uri: OFFLINE_URI,
    });
  });

  it('is what the library opens, and is deterministic for a pinned clock and random source', async () => {
    const text = await sealOffline();
    expect(await sealOffline()).toBe(text);
    const opened = await openEnvelope({ text, password: PASSWORD, now: () => NOW_S * 1000 });
    expect(opened.payload).toMatchObject({ mode: 'offline', secret: SEED_B32 });
    expect(readEnvelopeHeader({ text }).kdf).toEqual({ algorithm: 'scrypt', log2N: 15, r: 8, p: 1 });
  });

  it('warns that an offline envelope carries the seed', async () => {
    const r = await run(['envelope', 'seal', '--uri', OFFLINE_URI, ...PW, ...at(NOW_S)]);
    expect(r.stderr).toMatch(/^warning OFFLINE_ENVELOPE: /);
  });

  it('carries HOTP counters, policy flags, --ttl and --kdf pbkdf2', async () => {
    const uri = `otpauth://hotp/Beta:bob?secret=${SEED_B32}&issuer=Beta&digits=8&counter=41`;
    const sealed = await run(['envelope', 'seal', '--uri', uri, ...PW, ...at(NOW_S), '--ttl', '2m', '--pin-length', '8', '--no-biometrics', '--kdf', 'pbkdf2']);
    expect(sealed.status, sealed.stderr).toBe(0);
    const text = sealed.stdout.trim();
    expect(readEnvelopeHeader({ text })).toMatchObject({ kdf: { algorithm: 'pbkdf2-sha256', iterations: 600_000 }, expiresAt: (NOW_S + 120) * 1000 });
    const opened = JSON.parse((await run(['envelope', 'open', text, ...PW, ...at(NOW_S)])).stdout);
    expect(opened).toMatchObject({
      otp: { type: 'hotp', algorithm: 'SHA1', digits: 8, counter: 41 },
      policy: { pinRequired: true, minPinLength: 8, biometricsAllowed: false },
      expiresAt: NOW_S + 120,
      uri,
    });
  });

  it('checks expiry against --now with the 60 s skew allowance', async () => {
    const text = await sealOffline(['--ttl', '60']);
    expect((await run(['envelope', 'open', text, ...PW, ...at(NOW_S + 120)])).status).toBe(0);
    const late = await run(['envelope', 'open', text, ...PW, ...at(NOW_S + 121)]);
    expect(late.stderr).toMatch(/^ERR_ENVELOPE_EXPIRED: /);
    // Without --now, the injected clock decides.
    expect((await run(['envelope', 'open', text, ...PW], { now: (NOW_S + 121) * 1000 })).status).toBe(2);
  });

  it('takes the password from stdin or the environment, normalised (case, spaces, dashes)', async () => {
    const text = await sealOffline();
    const open = (argv: string[], opts: { stdin?: string; env?: Record<string, string> }) => run(['envelope', 'open', text, ...at(NOW_S), ...argv], opts);
    expect((await open(['--password-stdin'], { stdin: `${PASSWORD}\nignored second line\n` })).status).toBe(0);
    expect((await open(['--password-env', 'ENV_PW'], { env: { ENV_PW: 'k7qm 2xrd 9hpt' } })).status).toBe(0);
    expect((await open(['--password', 'K7QM2XRD9HPT'], {})).status).toBe(0);
  });

  it('reads the envelope text from stdin with "-"', async () => {
    const text = await sealOffline();
    const r = await run(['envelope', 'open', '-', ...PW, ...at(NOW_S)], { stdin: `${text}\n` });
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('cloudmfa envelope seal / open (online)', () => {
  it('seals a complete server-made payload from a file and opens it to the same payload', async () => {
    const payload = createActivationPayload({
      issuer: 'Acme Corporation',
      origin: 'https://mfa.example.com',
      policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
      random: seededRandom(5),
    });
    const dir = tmp();
    writeFileSync(join(dir, 'payload.json'), JSON.stringify(payload));
    const sealed = await run(['envelope', 'seal', '--online-json', 'payload.json', ...PW, ...at(NOW_S)], { cwd: dir });
    expect(sealed).toMatchObject({ status: 0, stderr: '' });
    const r = await run(['envelope', 'open', sealed.stdout.trim(), ...PW, ...at(NOW_S)]);
    expect(JSON.parse(r.stdout)).toEqual({ ...payload, issuedAt: NOW_S, expiresAt: NOW_S + 300 });
  });

  it('generates the activation id and secret when the JSON has only issuer and origin; --json shows them', async () => {
    const json = JSON.stringify({ issuer: 'Acme', origin: 'https://mfa.acme.test', otp: { digits: 8 } });
    const sealed = await run(['envelope', 'seal', '--online-json', '-', ...PW, ...at(NOW_S), '--json'], { stdin: json, seed: 11 });
    expect(sealed.status, sealed.stderr).toBe(0);
    const out = JSON.parse(sealed.stdout);
    const expected = createActivationPayload({ issuer: 'Acme', origin: 'https://mfa.acme.test', otp: { digits: 8 }, random: seededRandom(11) });
    expect(out).toMatchObject({ mode: 'online', issuedAt: NOW_S, expiresAt: NOW_S + 300, payload: expected });
    expect(out.payload).not.toHaveProperty('account');
    expect(out.qrVersion).toBeLessThanOrEqual(10);
    const opened = JSON.parse((await run(['envelope', 'open', out.text, ...PW, ...at(NOW_S)])).stdout);
    expect(opened.activationSecret).toBe(expected.activationSecret);
    // Without --json the generated secret would be lost: say so.
    const plain = await run(['envelope', 'seal', '--online-json', '-', ...PW, ...at(NOW_S)], { stdin: json });
    expect(plain.stderr).toMatch(/^warning ACTIVATION_GENERATED: /m);
  });

  it('--json reports the QR version; past version 10 (beyond the activation spec\'s budget) it warns QR_DENSE', async () => {
    const seal = (json: object) => run(['envelope', 'seal', '--online-json', '-', ...PW, ...at(NOW_S), '--json'], { stdin: JSON.stringify(json) });
    const typical = await seal({ issuer: 'Acme Corporation', origin: 'https://mfa.example.com' });
    const out = JSON.parse(typical.stdout);
    expect(out.qrVersion).toBe(qrVersion({ text: out.text }));
    expect(out.qrVersion).toBe(8);
    expect(typical.stderr).not.toContain('QR_DENSE');
    // Issuer 32 and origin 64 characters (the account is not in the envelope): version 10, quiet.
    const full = await seal({ issuer: 'I'.repeat(32), origin: `https://${'o'.repeat(43)}.example.test` });
    expect(JSON.parse(full.stdout).qrVersion).toBe(10);
    expect(full.stderr).not.toContain('QR_DENSE');
    // One byte past the spec's budget (issuer + origin without https:// = 107 bytes): version 11.
    const over = await seal({ issuer: 'I'.repeat(51), origin: `https://${'o'.repeat(43)}.example.test` });
    expect(JSON.parse(over.stdout).qrVersion).toBe(11);
    expect(over.stderr).toMatch(/^warning QR_DENSE: the QR code needs version 11 /m);
    // The largest online envelope: a 64-byte issuer and a 127-character origin, version 13.
    const largest = await seal({ issuer: 'I'.repeat(64), origin: `https://${'a'.repeat(60)}.${'b'.repeat(45)}.example.test` });
    expect(JSON.parse(largest.stdout).qrVersion).toBe(13);
    expect(largest.stderr).toMatch(/^warning QR_DENSE: the QR code needs version 13 /m);
  });

  it('refuses an account in the online JSON (the server keeps it) with ERR_CLI_JSON', async () => {
    const r = await run(['envelope', 'seal', '--online-json', '-', ...PW, ...at(NOW_S)], {
      stdin: JSON.stringify({ issuer: 'Acme', account: 'jane@acme.test', origin: 'https://mfa.acme.test' }),
    });
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(/^ERR_CLI_JSON: --online-json: an online envelope carries no "account" /);
    expect(r.stderr).not.toContain('jane');
  });

  it('--ttl goes up to 65535 s (18h12m), the envelope\'s 16-bit lifetime', async () => {
    for (const [ttl, seconds] of [['65535', 65_535], ['18h', 64_800], ['1', 1]] as const) {
      const sealed = await run(['envelope', 'seal', '--online-json', '-', ...PW, ...at(NOW_S), '--ttl', ttl, '--json'], {
        stdin: JSON.stringify({ issuer: 'Acme', origin: 'https://mfa.acme.test' }),
      });
      expect(sealed.status, sealed.stderr).toBe(0);
      expect(JSON.parse(sealed.stdout).expiresAt).toBe(NOW_S + seconds);
    }
    // The issue time is u32 seconds and the expiry is issue time + lifetime, so the last second
    // of 2106 still seals (past 2^32 is refused: badInputs.test.ts).
    const last = await run(['envelope', 'seal', '--uri', OFFLINE_URI, ...PW, '--now', '4294967295', '--json']);
    expect(last.status, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ issuedAt: 4_294_967_295, expiresAt: 4_294_967_295 + 300 });
  });
});

describe('the built executable', () => {
  it('seals with --password-env and opens with --password-stdin, text through a pipe', () => {
    const sealed = spawnBin(['envelope', 'seal', '--uri', OFFLINE_URI, '--password-env', 'CMFA_PW', ...at(NOW_S)], { env: { CMFA_PW: PASSWORD } });
    expect(sealed.status, sealed.stderr).toBe(0);
    expect(sealed.stderr).toMatch(/^warning OFFLINE_ENVELOPE: /);
    const text = sealed.stdout.trim();
    const opened = spawnBin(['envelope', 'open', text, '--password-stdin', ...at(NOW_S + 1)], { input: `${PASSWORD}\n` });
    expect(opened.status, opened.stderr).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({ mode: 'offline', secret: SEED_B32, uri: OFFLINE_URI });
    const piped = spawnBin(['envelope', 'open', '-', '--password-env', 'CMFA_PW', ...at(NOW_S + 1)], { input: `${text}\n`, env: { CMFA_PW: PASSWORD } });
    expect(piped.stdout).toBe(opened.stdout);
  });

  it('round-trips an online payload and a generated password', () => {
    const password = spawnBin(['envelope', 'password']).stdout.trim();
    expect(password).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}$/);
    const json = JSON.stringify({ issuer: 'Acme', origin: 'https://mfa.acme.test' });
    const sealed = spawnBin(['envelope', 'seal', '--online-json', '-', '--password-env', 'PW', ...at(NOW_S), '--json'], { input: json, env: { PW: password } });
    expect(sealed.status, sealed.stderr).toBe(0);
    const out = JSON.parse(sealed.stdout);
    const opened = spawnBin(['envelope', 'open', out.text, '--password-env', 'PW', ...at(NOW_S)], { env: { PW: password.toLowerCase() } });
    expect(opened.status, opened.stderr).toBe(0);
    expect(JSON.parse(opened.stdout)).toEqual({ ...out.payload, issuedAt: NOW_S, expiresAt: NOW_S + 300 });
  });
});
