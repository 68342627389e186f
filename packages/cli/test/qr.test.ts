import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOW_S, OFFLINE_URI, PASSWORD } from './envelopeFixtures.js';
import { decodePng, decodeSvg, decodeTerminal, run, spawnBin } from './helpers.js';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const MAKE = ['uri', 'make', '--secret', SECRET, '--issuer', 'Acme Co', '--account', 'alice@example.com'];
const URI = `otpauth://totp/Acme%20Co:alice@example.com?secret=${SECRET}&issuer=Acme%20Co`;
const tmp = () => mkdtempSync(join(tmpdir(), 'cloudmfa-qr-'));

function zbarimg(file: string): string {
  const r = spawnSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\n$/, '');
}

describe('uri make --qr', () => {
  it('png: written with mode 0600, decoded by jsQR and by zbarimg to the URI', async () => {
    const dir = tmp();
    const r = await run([...MAKE, '--qr', 'png', '--out', 'qr.png'], { cwd: dir });
    expect(r).toEqual({ status: 0, stdout: `${URI}\n`, stderr: '' });
    const file = join(dir, 'qr.png');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(decodePng(readFileSync(file))).toBe(URI);
    expect(zbarimg(file)).toBe(URI);
  });

  it('svg: decodes to the URI', async () => {
    const dir = tmp();
    await run([...MAKE, '--qr', 'svg', '--out', 'qr.svg'], { cwd: dir });
    const svg = readFileSync(join(dir, 'qr.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(decodeSvg(svg)).toBe(URI);
  });

  it('terminal: printed after the URI, or into --out; decodes to the URI', async () => {
    const r = await run([...MAKE, '--qr', 'terminal']);
    expect(r.status).toBe(0);
    const [first, ...rest] = r.stdout.split('\n');
    expect(first).toBe(URI);
    expect(decodeTerminal(rest.join('\n'))).toBe(URI);
    const dir = tmp();
    const toFile = await run([...MAKE, '--qr', 'terminal', '--out', 'qr.txt'], { cwd: dir });
    expect(toFile.stdout).toBe(`${URI}\n`);
    expect(decodeTerminal(readFileSync(join(dir, 'qr.txt'), 'utf8'))).toBe(URI);
  });

  it('a failed write leaves stdout empty', async () => {
    const r = await run([...MAKE, '--qr', 'svg', '--out', join(tmp(), 'missing', 'qr.svg')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ERR_CLI_OUTPUT: /);
  });
});

describe('envelope seal --qr (alphanumeric mode)', () => {
  const SEAL = ['envelope', 'seal', '--uri', OFFLINE_URI, '--password', PASSWORD, '--now', String(NOW_S)];

  it('png via the built executable: jsQR and zbarimg read the envelope text', () => {
    const dir = tmp();
    const r = spawnBin([...SEAL, '--qr', 'png', '--out', 'envelope.png'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const text = r.stdout.trim();
    expect(text.startsWith('CMFA:')).toBe(true);
    expect(decodePng(readFileSync(join(dir, 'envelope.png')))).toBe(text);
    expect(zbarimg(join(dir, 'envelope.png'))).toBe(text);
  });

  it('svg and terminal', async () => {
    const dir = tmp();
    const svg = await run([...SEAL, '--qr', 'svg', '--out', 'e.svg'], { cwd: dir });
    expect(decodeSvg(readFileSync(join(dir, 'e.svg'), 'utf8'))).toBe(svg.stdout.trim());
    const term = await run([...SEAL, '--qr', 'terminal']);
    const [text, ...qr] = term.stdout.split('\n');
    expect(decodeTerminal(qr.join('\n'))).toBe(text);
  });
});
