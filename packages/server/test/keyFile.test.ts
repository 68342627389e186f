// loadKeyRingFile (docs/server.md section 2.2) on real files: created 0600 and reused, and every
// bad file refused with a typed error whose message holds none of the file's content.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBase64Url } from '@cloudmfa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKeyRingFile } from '../src/key-file.js';
import { activateOnline, codeAt, makeDevice, makeServer, seededRandom } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-keyfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEK_TEXT = encodeBase64Url(new Uint8Array(32).fill(0x5a)); // "WlpaWlpa..."
const PUSH_TEXT = encodeBase64Url(new Uint8Array(32).fill(0x33)); // a valid P-256 scalar
const good = () => ({ version: 1, kek: { current: 'k1', keys: { k1: KEK_TEXT } }, push: { algorithm: 'ES256', privateKey: PUSH_TEXT } });

function write(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}

function refusal(path: string): { code: string; message: string } {
  try {
    loadKeyRingFile({ path });
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('loadKeyRingFile', () => {
  it('creates the file with mode 0600 once, reuses it after, and its keys run a server', async () => {
    const path = join(dir, 'keys.json');
    const first = loadKeyRingFile({ path, create: true, random: seededRandom('key-file') });
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.describe()).toMatch(/^key file .*keys\.json \(created, mode 0600\); KEK k1 \(1 configured\); push key ES256 [A-Za-z0-9_-]{43}$/);
    const again = loadKeyRingFile({ path, create: true });
    expect(again.created).toBe(false);
    expect(again.kek.keys.k1).toEqual(first.kek.keys.k1);
    expect(again.push.publicKey).toEqual(first.push.publicKey);
    for (const k of Object.values(first.kek.keys)) expect(first.describe()).not.toContain(encodeBase64Url(k));
    expect(first.describe()).not.toContain((JSON.parse(readFileSync(path, 'utf8')) as { push: { privateKey: string } }).push.privateKey);

    const t = makeServer({ kek: again.kek, keys: { push: again.push } });
    const { identity } = await activateOnline(t, makeDevice('a'));
    expect(identity.pushKey.publicKey).toEqual(again.push.publicKey);
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    again.wipe();
    expect(again.kek.keys.k1?.every((b) => b === 0)).toBe(true);
  });

  it('reads a file written by hand', () => {
    const loaded = loadKeyRingFile({ path: write('keys.json', JSON.stringify(good())) });
    expect(loaded.kek.current).toBe('k1');
    expect(loaded.kek.keys.k1).toEqual(new Uint8Array(32).fill(0x5a));
  });

  it('refuses a file it cannot trust with ERR_KEY_FILE_ACCESS', () => {
    expect(refusal(join(dir, 'missing.json')).code).toBe('ERR_KEY_FILE_ACCESS');
    const open = refusal(write('open.json', JSON.stringify(good()), 0o640));
    expect(open).toMatchObject({ code: 'ERR_KEY_FILE_ACCESS' });
    expect(open.message).toContain('accessible by group or others (mode 640); chmod 600 it');
    symlinkSync(write('target.json', JSON.stringify(good())), join(dir, 'link.json'));
    expect(refusal(join(dir, 'link.json')).code).toBe('ERR_KEY_FILE_ACCESS');
    mkdirSync(join(dir, 'adir'), { mode: 0o700 });
    expect(refusal(join(dir, 'adir')).code).toBe('ERR_KEY_FILE_ACCESS');
    expect(refusal(write('big.json', ' '.repeat(64 * 1024 + 1))).code).toBe('ERR_KEY_FILE_ACCESS');
    expect(() => loadKeyRingFile({ path: join(dir, 'nodir', 'keys.json'), create: true })).toThrow(expect.objectContaining({ code: 'ERR_KEY_FILE_ACCESS' }));
  });

  it('refuses content that is not the format with ERR_KEY_FILE_INVALID, quoting none of it', () => {
    const g = good();
    const cases: Array<[string, unknown]> = [
      ['not JSON', `{"kek": "${KEK_TEXT}"`],
      ['wrong version', { ...g, version: 2 }],
      ['no push', { version: 1, kek: g.kek }],
      ['EdDSA push', { ...g, push: { algorithm: 'EdDSA', privateKey: PUSH_TEXT } }],
      ['bad key id', { ...g, kek: { current: 'k 1', keys: { 'k 1': KEK_TEXT } } }],
      ['short KEK', { ...g, kek: { current: 'k1', keys: { k1: KEK_TEXT.slice(0, 42) } } }],
      ['KEK not base64url', { ...g, kek: { current: 'k1', keys: { k1: `${KEK_TEXT.slice(0, 42)}+` } } }],
      ['current missing', { ...g, kek: { current: 'k2', keys: { k1: KEK_TEXT } } }],
      ['push key zero', { ...g, push: { algorithm: 'ES256', privateKey: encodeBase64Url(new Uint8Array(32)) } }],
      ['push key not a scalar', { ...g, push: { algorithm: 'ES256', privateKey: encodeBase64Url(new Uint8Array(32).fill(0xff)) } }],
      ['keys an array', { ...g, kek: { current: '0', keys: [KEK_TEXT] } }],
    ];
    for (const [name, content] of cases) {
      const e = refusal(write(`${name.replace(/ /g, '-')}.json`, typeof content === 'string' ? content : JSON.stringify(content)));
      expect({ name, code: e.code }).toEqual({ name, code: 'ERR_KEY_FILE_INVALID' });
      expect(e.message).not.toContain(KEK_TEXT.slice(0, 12));
      expect(e.message).not.toContain(PUSH_TEXT.slice(0, 12));
      expect(e.message).not.toContain('AAAAAAAAAAAA');
      expect(e.message).not.toContain('____________');
    }
  });
});
