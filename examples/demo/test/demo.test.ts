// Runs `examples/demo/demo.mjs` as `pnpm demo` does (a child process on the BUILT packages) and
// checks the story's key lines, the exit code, the time taken, and that its temporary SQLite
// file is gone. Time and randomness are pinned through the demo's own --now/--seed options.
import { spawnSync } from 'node:child_process';
import { scryptSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openEnvelope } from '@cloudmfa/activation';
import { createCryptoProvider } from '@cloudmfa/core/providers';
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../demo.mjs', import.meta.url));
const noSleep = new URL('./fixtures/noSleep.mjs', import.meta.url).href;
const NOW = String(Date.UTC(2026, 0, 1, 9, 0, 0));

function run(args: string[]) {
  // The timeout only ends a hung child; no assertion depends on how long the run took.
  return spawnSync(process.execPath, ['--import', noSleep, demo, ...args], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Reads back the QR that qrcode's small terminal renderer drew: each character is two modules
 * stacked (' ' none dark, '▀' top, '▄' bottom, '█' both), the first row and column are the
 * renderer's one-module border, the last line is border only. Returns the decoded text.
 */
function decodeTerminalQr(stdout: string): string | null {
  const plain = stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = plain.split('\n').filter((l) => /^[ ▀▄█]+$/.test(l) && /[▀▄█]/.test(l));
  const rows: boolean[][] = [];
  for (const line of lines.slice(0, -1)) {
    const chars = [...line];
    rows.push(chars.map((c) => c === '▀' || c === '█'));
    rows.push(chars.map((c) => c === '▄' || c === '█'));
  }
  const scale = 4;
  const quiet = 4;
  const width = ((rows[0]?.length ?? 0) + 2 * quiet) * scale;
  const height = (rows.length + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255);
  rows.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + quiet) * scale + dy) * width + (x + quiet) * scale + dx) * 4;
          rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
        }
      }
    }),
  );
  return jsQR(rgba, width, height)?.data ?? null;
}

const nativeKdf = createCryptoProvider({
  scrypt: async (password, salt, p) => new Uint8Array(scryptSync(password, salt, p.dkLen, { N: p.N, r: p.r, p: p.p, maxmem: 256 * 1024 * 1024 })),
});

describe('pnpm demo', () => {
  const r = run([`--now=${NOW}`, '--seed=demo-test']);

  it('runs to completion without input, without sleeping, and exits 0', () => {
    // stderr is empty: the preload reports every timer of 50 ms or more there.
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('demo complete');
    // The clock travels (over 20 minutes of story); nothing sleeps.
    expect(r.stdout).toContain('[clock +20:');
  });

  it('enrols: a QR drawn in the terminal, the password printed', () => {
    expect(r.stdout).toMatch(/QR: \d+ characters, version (\d|10) at level M/);
    // The terminal QR: half-block characters, at least 20 rows of them.
    expect(r.stdout.split('\n').filter((l) => /[▀▄█]{5}/.test(l)).length).toBeGreaterThanOrEqual(20);
    expect(r.stdout).toMatch(/Password \(sent on another channel than the QR\): [0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\n/);
    expect(r.stdout).toContain('Valid for 5:00');
  });

  it('the terminal QR scans, and the printed password opens it', async () => {
    const text = decodeTerminalQr(r.stdout);
    expect(text).toMatch(/^CMFA:[0-9A-Z $%*+./:-]+$/);
    const password = /Password \(sent on another channel than the QR\): (\S+)/.exec(r.stdout)?.[1] as string;
    const opened = await openEnvelope({ text: text as string, password, now: () => Number(NOW) + 40_000, crypto: nativeKdf });
    expect(opened.preview).toMatchObject({ mode: 'online', issuer: 'Acme Corporation', origin: 'https://mfa.acme.example' });
  });

  it('the app opens the envelope, shows the company, redeems it, shows codes with seconds left', () => {
    expect(r.stdout).toContain('A mistyped password: ERR_ENVELOPE_DECRYPT');
    expect(r.stdout).toMatch(/Review {2}company: Acme Corporation/);
    expect(r.stdout).toContain('server:  https://mfa.acme.example');
    expect(r.stdout).toContain('POST /v1/activations/redeem -> 200');
    expect(r.stdout).toContain('account alice@acme.example at Acme Corporation');
    expect(r.stdout.match(/^ {3}\d{3} \d{3} +\d{1,2} s left$/gm)?.length).toBe(3);
  });

  it('the server accepts a code, refuses its replay, throttles, locks, and accepts after the lockout', () => {
    const lines = r.stdout.split('\n');
    const accepted = lines.findIndex((l) => / -> accepted \(totp, delta 0\)$/.test(l));
    expect(accepted).toBeGreaterThan(0);
    const code = /^ {3}(\d{3} \d{3}) -> accepted/.exec(lines[accepted] as string)?.[1];
    expect(lines[accepted + 1]).toBe(`   ${code} again -> refused: replayed (one use per time step, RFC 6238 5.2)`);
    expect(r.stdout).toMatch(/wrong code #\d+ +\d{3} \d{3} -> refused: invalid, 10 failure\(s\), next attempt in 15:00/);
    expect(r.stdout).toMatch(/next attempt in 0:01\n[\s\S]*next attempt in 0:02\n[\s\S]*next attempt in 0:32\n/);
    expect(r.stdout).toMatch(/the right code \d{3} \d{3} while locked -> refused: locked, retry in 15:00/);
    expect(r.stdout).toMatch(/\d{3} \d{3} -> accepted; the failure count is reset/);
  });

  it('a push is confirmed, another marked suspicious (risk event, pause), a third cancelled', () => {
    expect(r.stdout).toMatch(/"status":"approved","suspicious":false/);
    expect(r.stdout).toMatch(/! risk event push\.suspicious for alice/);
    expect(r.stdout).toMatch(/"status":"denied","suspicious":true/);
    expect(r.stdout).toContain('another push to alice now -> refused: paused, for 15:00');
    expect(r.stdout).toMatch(/"status":"cancelled","suspicious":false/);
    expect(r.stdout.match(/login page polls GET \/v1\/push\/challenges\/\{id\} -> (approved|denied|cancelled)/g)).toEqual([
      'login page polls GET /v1/push/challenges/{id} -> approved',
      'login page polls GET /v1/push/challenges/{id} -> denied',
      'login page polls GET /v1/push/challenges/{id} -> cancelled',
    ]);
  });

  it('prints the audit log at the end, without an entry for the cancelled push', () => {
    const audit = r.stdout.slice(r.stdout.indexOf('== 6. The audit log'));
    const kinds = [...audit.matchAll(/^ {3}\+\d\d:\d\d {2}[ !] ([a-z_.]+) /gm)].map((m) => m[1]);
    expect(kinds).toEqual([
      'enrolment.issued',
      'enrolment.redeemed',
      'otp.accepted',
      'otp.refused',
      ...Array(8).fill('otp.refused'),
      'otp.locked',
      'otp.accepted',
      'push.approved',
      'push.suspicious',
      'push.resumed',
    ]);
    expect(audit).toContain('17 entries, 2 risk events; the cancelled push has no entry (Cancel is never audited)');
  });

  it('removes its temporary SQLite file', () => {
    const dir = /removed (\S+)/.exec(r.stdout)?.[1];
    expect(dir).toMatch(/cloudmfa-demo-/);
    expect(existsSync(dir as string)).toBe(false);
  });

  it('is reproducible with --now and --seed (apart from the temporary path)', () => {
    const again = run([`--now=${NOW}`, '--seed=demo-test']);
    const strip = (s: string) => s.replace(/\/[^\s]*cloudmfa-demo-[^\s/]*/g, '<tmp>');
    expect(again.status).toBe(0);
    expect(strip(again.stdout)).toBe(strip(r.stdout));
  });

  it('--no-qr leaves the QR out; an unknown option is refused', () => {
    const noQr = run([`--now=${NOW}`, '--seed=demo-test', '--no-qr']);
    expect(noQr.status).toBe(0);
    expect(noQr.stdout).not.toMatch(/[▀▄█]{5}/);
    const bad = run(['--interactive']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage:');
  });
});
