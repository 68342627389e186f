import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBase32, encodeBase32, utf8Encode } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { NOW_MS, prng, run, seededRandom, spawnBin } from './helpers.js';
import vectors from './vectors/rfc.json';

const b32 = (ascii: string) => encodeBase32(utf8Encode(ascii));
const SHA1_SEED = b32(vectors.totp.seeds.SHA1);

describe('cloudmfa secret', () => {
  it('prints 20 random bytes as unpadded base32 from the injected CSPRNG', async () => {
    const r = await run(['secret'], { seed: 7 });
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toBe(`${encodeBase32(seededRandom(7)(20))}\n`);
    expect(decodeBase32(r.stdout.trim())).toHaveLength(20);
  });

  it('--bytes sets the length', async () => {
    const r = await run(['secret', '--bytes', '32']);
    expect(r.status).toBe(0);
    expect(decodeBase32(r.stdout.trim())).toHaveLength(32);
  });
});

describe('cloudmfa code', () => {
  it('reproduces RFC 6238 Appendix B for SHA1, SHA256 and SHA512', async () => {
    for (const row of vectors.totp.rows) {
      for (const alg of ['SHA1', 'SHA256', 'SHA512'] as const) {
        const r = await run(['code', '--secret', b32(vectors.totp.seeds[alg]), '--time', String(row.time), '--digits', '8', '--algorithm', alg.toLowerCase()]);
        expect(r, `${alg} at ${row.time}`).toEqual({ status: 0, stdout: `${row[alg]}\n`, stderr: '' });
      }
    }
  });

  it('reproduces RFC 4226 Appendix D with --counter (and with --hotp --counter)', async () => {
    for (const [counter, code] of vectors.hotp.codes.entries()) {
      expect((await run(['code', '--secret', b32(vectors.hotp.seed), '--counter', String(counter)])).stdout).toBe(`${code}\n`);
    }
    expect((await run(['code', '--secret', b32(vectors.hotp.seed), '--hotp', '-c', '3'])).stdout).toBe(`${vectors.hotp.codes[3]}\n`);
  });

  it('uses the injected clock when --time is absent', async () => {
    const r = await run(['code', '--secret', SHA1_SEED, '-d', '8'], { now: 59_000 });
    expect(r.stdout).toBe('94287082\n');
  });

  it('accepts the time as seconds, @seconds and a UTC date-time, and oathtool spellings of the options', async () => {
    const base = ['code', '--secret', SHA1_SEED, '-d8'];
    const expected = '89005924\n'; // 1234567890 = 2009-02-13 23:31:30 UTC
    for (const t of ['1234567890', '@1234567890', '2009-02-13 23:31:30 UTC', '2009-02-13T23:31:30Z']) {
      expect((await run([...base, '--time', t])).stdout, t).toBe(expected);
      expect((await run([...base, '-N', t])).stdout, t).toBe(expected);
      expect((await run([...base, `--now=${t}`])).stdout, t).toBe(expected);
    }
    const sha256 = ['code', '--secret', b32(vectors.totp.seeds.SHA256), '-d', '8', '-N', '@1234567890'];
    expect((await run([...sha256, '--totp=SHA256'])).stdout).toBe('91819424\n');
    expect((await run([...sha256, '--totp=sha256', '--algorithm', 'SHA256', '-b'])).stdout).toBe('91819424\n');
  });

  it('--period accepts oathtool durations and --t0 shifts step 0', async () => {
    const at = (args: string[]) => run(['code', '--secret', SHA1_SEED, '--time', '1000000', ...args]).then((r) => r.stdout);
    expect(await at(['--period', '60'])).toBe(await at(['-s', '1m']));
    expect(await at(['--time-step-size=60s'])).toBe(await at(['--period', '60']));
    expect(await at(['--period', '3600'])).toBe(await at(['-s', '1h']));
    // t0 = 100 at time 1000000 is step floor(999900 / 30), the step of time 999900 with t0 = 0.
    expect(await at(['--t0', '100'])).toBe((await run(['code', '--secret', SHA1_SEED, '--time', '999900'])).stdout);
    expect(await at(['-S', '@100'])).toBe(await at(['--start-time=100']));
  });

  it('--window N prints N + 1 codes: following counters, or following time steps', async () => {
    const hotpCodes = (await run(['code', '--secret', b32(vectors.hotp.seed), '-c', '2', '-w', '3'])).stdout;
    expect(hotpCodes).toBe(`${vectors.hotp.codes.slice(2, 6).join('\n')}\n`);
    const totpCodes = (await run(['code', '--secret', SHA1_SEED, '--time', '59', '-w', '2'])).stdout.trim().split('\n');
    const single = async (t: number) => (await run(['code', '--secret', SHA1_SEED, '--time', String(t)])).stdout.trim();
    expect(totpCodes).toEqual([await single(59), await single(89), await single(119)]);
  });

  it('reads the secret from stdin with "-" and from a file with "@FILE"', async () => {
    const expected = (await run(['code', '--secret', SHA1_SEED, '--time', '59'])).stdout;
    expect((await run(['code', '--secret', '-', '--time', '59'], { stdin: `${SHA1_SEED}\n` })).stdout).toBe(expected);
    const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-cli-'));
    writeFileSync(join(dir, 'seed.txt'), `${SHA1_SEED.toLowerCase()}\n`);
    expect((await run(['code', '--secret', '@seed.txt', '--time', '59'], { cwd: dir })).stdout).toBe(expected);
  });

  it('warns on stderr (exit 0) for a legacy 80-bit secret', async () => {
    const r = await run(['code', '--secret', 'JBSWY3DPEHPK3PXP', '--time', '59']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\d{6}\n$/);
    expect(r.stderr).toMatch(/^warning SECRET_SHORT: /);
    expect(r.stderr).not.toContain('JBSWY3DPEHPK3PXP');
  });
});

describe('cloudmfa verify', () => {
  const base = ['verify', '--secret', SHA1_SEED, '-d', '8'];

  it('prints {"ok":true,"delta":D,"step":S} and exits 0', async () => {
    expect(await run([...base, '--code', '94287082', '--time', '59'])).toEqual({ status: 0, stdout: '{"ok":true,"delta":0,"step":1}\n', stderr: '' });
    // The code of step 1, typed with spaces and a dash, one step later.
    expect((await run([...base, '--code', '9428 70-82', '--time', '89'])).stdout).toBe('{"ok":true,"delta":-1,"step":1}\n');
  });

  it('prints {"ok":false,"reason":R} and exits 1 for what a user typed', async () => {
    for (const [code, reason] of [
      ['94287083', 'mismatch'],
      ['9428708', 'length'],
      ['9428708x', 'format'],
      ['', 'length'],
    ] as const) {
      expect(await run([...base, '--code', code, '--time', '59'])).toEqual({ status: 1, stdout: `{"ok":false,"reason":"${reason}"}\n`, stderr: '' });
    }
  });

  it('--window bounds the accepted steps and --after-step refuses replays', async () => {
    expect((await run([...base, '--code', '94287082', '--time', '119', '--window', '1'])).stdout).toBe('{"ok":false,"reason":"mismatch"}\n');
    expect((await run([...base, '--code', '94287082', '--time', '119', '--window', '2'])).stdout).toBe('{"ok":true,"delta":-2,"step":1}\n');
    const replay = await run([...base, '--code', '94287082', '--time', '59', '--after-step', '1']);
    expect(replay).toEqual({ status: 1, stdout: '{"ok":false,"reason":"replayed"}\n', stderr: '' });
  });

  it('HOTP looks ahead only and reports the counter', async () => {
    const hotp = ['verify', '--secret', b32(vectors.hotp.seed)];
    expect((await run([...hotp, '--code', vectors.hotp.codes[7] as string, '--counter', '4'])).stdout).toBe('{"ok":true,"delta":3,"counter":7}\n');
    expect((await run([...hotp, '--code', vectors.hotp.codes[7] as string, '--counter', '4', '-w', '2'])).status).toBe(1);
    expect((await run([...hotp, '--code', vectors.hotp.codes[3] as string, '--counter', '4'])).stdout).toBe('{"ok":false,"reason":"mismatch"}\n');
  });

  it('verifies what code printed at the injected clock', async () => {
    const printed = (await run(['code', '--secret', SHA1_SEED], { now: NOW_MS })).stdout.trim();
    expect((await run(['verify', '--secret', SHA1_SEED, '--code', printed], { now: NOW_MS })).stdout).toBe(
      `{"ok":true,"delta":0,"step":${Math.floor(NOW_MS / 30_000)}}\n`,
    );
  });
});

describe('cloudmfa uri make / uri parse', () => {
  it('formats the Key Uri Format with escaped issuer and account, and parse reads it back', async () => {
    const made = await run(['uri', 'make', '--secret', SHA1_SEED, '--issuer', 'Acme Co: EU', '--account', 'alice smith@example.com']);
    expect(made).toEqual({
      status: 0,
      stdout: `otpauth://totp/Acme%20Co%3A%20EU:alice%20smith@example.com?secret=${SHA1_SEED}&issuer=Acme%20Co%3A%20EU\n`,
      stderr: '',
    });
    const parsed = await run(['uri', 'parse', made.stdout.trim()]);
    expect(parsed.status).toBe(0);
    expect(JSON.parse(parsed.stdout)).toEqual({
      type: 'totp',
      issuer: 'Acme Co: EU',
      account: 'alice smith@example.com',
      secret: SHA1_SEED,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      warnings: [],
    });
  });

  it('HOTP and non-default parameters round-trip, with Google Authenticator warnings on stderr', async () => {
    const made = await run(['uri', 'make', '--secret', SHA1_SEED, '--issuer', 'Acme', '--account', 'bob', '--counter', '42', '--digits', '8', '--algorithm', 'sha256']);
    expect(made.status).toBe(0);
    expect(made.stdout).toBe(`otpauth://hotp/Acme:bob?secret=${SHA1_SEED}&issuer=Acme&algorithm=SHA256&digits=8&counter=42\n`);
    expect(made.stderr.split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual(['warning GA_ALGORITHM', 'warning GA_DIGITS']);
    const parsed = JSON.parse((await run(['uri', 'parse', made.stdout.trim()])).stdout);
    expect(parsed).toMatchObject({ type: 'hotp', counter: 42, digits: 8, algorithm: 'SHA256', issuer: 'Acme', account: 'bob' });
    expect(parsed).not.toHaveProperty('period');
  });

  it('uri parse --lenient accepts real-world URIs and lists what it tolerated', async () => {
    const uri = `otpauth://totp/Some+Company:alice?secret=${SHA1_SEED}&issuer=Microsoft&foo=bar`;
    expect((await run(['uri', 'parse', uri])).status).toBe(2);
    const r = await run(['uri', 'parse', uri, '--lenient']);
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed).toMatchObject({ issuer: 'Microsoft', labelIssuer: 'Some Company', account: 'alice', extraParameters: [['foo', 'bar']] });
    expect(parsed.warnings.map((w: { code: string }) => w.code).sort()).toEqual(['ISSUER_MISMATCH', 'PLUS_AS_SPACE', 'UNKNOWN_PARAMETER']);
  });
});

describe('cloudmfa migration export / import', () => {
  const uris = [
    `otpauth://totp/Acme:alice?secret=${SHA1_SEED}&issuer=Acme`,
    `otpauth://hotp/Beta:bob?secret=${b32(vectors.totp.seeds.SHA256)}&issuer=Beta&digits=8&counter=7`,
    `otpauth://totp/carol?secret=${b32(vectors.totp.seeds.SHA512)}&algorithm=SHA512`,
  ];

  it('export then import gives back the same otpauth URIs', async () => {
    const exported = await run(['migration', 'export', ...uris], { seed: 3 });
    expect(exported.status).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^otpauth-migration:\/\/offline\?data=/);
    const imported = await run(['migration', 'import', lines[0] as string]);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toBe(`${uris.join('\n')}\n`);
    expect(imported.stderr).toMatch(/^warning ISSUER_MISSING: account #3: [^\n]+\n$/);
  });

  it('--max-per-uri splits into a batch; --json reports completeness; a partial batch warns', async () => {
    const exported = await run(['migration', 'export', ...uris, '--max-per-uri', '1', '--batch-id', '1234']);
    const lines = exported.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const all = JSON.parse((await run(['migration', 'import', '--json', ...lines])).stdout);
    expect(all).toMatchObject({ version: 1, batchId: 1234, batchSize: 3, indexes: [0, 1, 2], complete: true });
    expect(all.accounts.map((a: { uri: string }) => a.uri)).toEqual(uris);
    expect(all.accounts[1]).toMatchObject({ type: 'hotp', issuer: 'Beta', account: 'bob', counter: 7, digits: 8 });
    const partial = await run(['migration', 'import', lines[0] as string, lines[2] as string]);
    expect(partial.status).toBe(0);
    expect(partial.stdout).toBe(`${uris[0]}\n${uris[2]}\n`);
    expect(partial.stderr).toContain('warning BATCH_INCOMPLETE: the batch has 3 QR codes and 2 were given');
  });

  it('export drops what the format cannot carry, with a warning', async () => {
    const r = await run(['migration', 'export', '--lenient', `otpauth://totp/Other:alice?secret=${SHA1_SEED}&issuer=Acme&x=1`]);
    expect(r.status).toBe(0);
    expect(r.stderr.match(/^warning DROPPED: /gm)).toHaveLength(2);
  });
});

describe('oathtool compatibility', () => {
  const oathtool = (args: string[]) => {
    const r = spawnSync('oathtool', args, { encoding: 'utf8' });
    if (r.error) throw r.error;
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };

  it('cloudmfa code equals oathtool on 60 seeded TOTP/HOTP cases, with oathtool\'s own flags', async () => {
    const rand = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const random = seededRandom(42);
    for (let i = 0; i < 60; i++) {
      const secret = encodeBase32(random(pick([10, 16, 20, 32, 64])));
      const digits = String(pick([6, 7, 8]));
      let args: string[];
      if (i % 4 === 3) {
        args = ['--hotp', '-c', String(Math.floor(rand() * 2 ** 40)), '-d', digits];
      } else {
        const alg = pick(['SHA1', 'SHA256', 'SHA512']);
        const period = `${pick([1, 15, 30, 60, 90])}s`;
        const t0 = Math.floor(rand() * 1000);
        const time = t0 + Math.floor(rand() * 4_000_000_000);
        args = [`--totp=${alg}`, '-d', digits, '-s', period, '-S', `@${t0}`, '-N', `@${time}`];
        if (rand() < 0.3) args.push('-w', String(Math.floor(rand() * 4)));
      }
      const ours = await run(['code', ...args, '-b', '--secret', secret]);
      expect(ours.stderr.startsWith('ERR_'), ours.stderr).toBe(false);
      expect(ours.stdout, `case ${i}: ${args.join(' ')}`).toBe(oathtool([...args, '-b', secret]));
    }
  });

  it('the built executable exits 0 for a valid code and 1 for a wrong one', () => {
    const valid = spawnBin(['verify', '--secret', SHA1_SEED, '-d', '8', '--code', '94287082', '-N', '@59']);
    expect(valid).toEqual({ status: 0, stdout: '{"ok":true,"delta":0,"step":1}\n', stderr: '' });
    const wrong = spawnBin(['verify', '--secret', SHA1_SEED, '-d', '8', '--code', '94287083', '-N', '@59']);
    expect(wrong).toEqual({ status: 1, stdout: '{"ok":false,"reason":"mismatch"}\n', stderr: '' });
  });

  it('the built executable agrees with oathtool too', () => {
    const secret = b32(vectors.totp.seeds.SHA512);
    for (const args of [
      ['--totp=SHA512', '-d', '8', '-N', '@1111111111'],
      ['--totp', '-s', '45s', '-N', '2021-06-01 12:00:00 UTC', '-w', '2'],
      ['--hotp', '-c', '123456', '-d', '7'],
    ]) {
      const ours = spawnBin(['code', ...args, '-b', '--secret', secret]);
      expect(ours.status, ours.stderr).toBe(0);
      expect(ours.stdout).toBe(oathtool([...args, '-b', secret]));
    }
  });
});
