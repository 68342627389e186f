import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { encodeBase32 } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { importAegis } from '../../src/aegis.js';
import { rejection } from '../vault/helpers.js';

const sample = (name: 'plain' | 'encrypted'): string => readFileSync(new URL(`../vectors/aegis-format/${name}.json`, import.meta.url), 'utf8');

// The entries vectors/aegis-format/generate.mjs writes into both samples.
const EXPECTED = [
  { type: 'totp', issuer: 'Northwind', account: 'ana', secret: 'B5BONHF6BEZPIGIADPSTINVJKM', algorithm: 'SHA1', digits: 6, period: 30 },
  { type: 'totp', issuer: 'Contoso', account: 'ben', secret: 'LGLYWYGME3HQVT7V5NODXAB5OQ', algorithm: 'SHA256', digits: 7, period: 20 },
  { type: 'totp', issuer: 'Fabrikam', account: 'chloe', secret: '7WP6ZG44BSTLGXKFMDFM6RV7CE', algorithm: 'SHA512', digits: 8, period: 50 },
  { type: 'hotp', issuer: 'Tailspin', account: 'dev', secret: 'URUZP5JKIRYQYGZ5HLOCPDDL2M', algorithm: 'SHA1', digits: 6, counter: 1 },
  { type: 'hotp', issuer: 'Woodgrove', account: 'emma', secret: 'RDJ6FAVAG6LCVBWS3LPPQOZTXQ', algorithm: 'SHA256', digits: 7, counter: 50 },
  { type: 'hotp', issuer: 'Litware', account: 'femi', secret: 'UAHIEDQXJJKUTUVQSUNOA7RC6U', algorithm: 'SHA512', digits: 8, counter: 10300 },
];

function readable(entries: Awaited<ReturnType<typeof importAegis>>['entries']) {
  return entries.map(({ secret, ...rest }) => ({ ...rest, secret: encodeBase32(secret) }));
}

/** An encrypted Aegis export built with node:crypto, following Aegis' docs/vault.md. */
export function encryptAegis(content: unknown, password: string, options: { n?: number; tamperDb?: boolean } = {}): string {
  const n = options.n ?? 2 ** 10;
  const salt = randomBytes(32);
  const masterKey = randomBytes(32);
  const slotKey = scryptSync(Buffer.from(password, 'utf8'), salt, 32, { N: n, r: 8, p: 1, maxmem: 2 ** 28 });
  const slotNonce = randomBytes(12);
  const slotCipher = createCipheriv('aes-256-gcm', slotKey, slotNonce);
  const key = Buffer.concat([slotCipher.update(masterKey), slotCipher.final()]);
  const dbNonce = randomBytes(12);
  const dbCipher = createCipheriv('aes-256-gcm', masterKey, dbNonce);
  const db = Buffer.concat([dbCipher.update(Buffer.from(JSON.stringify(content), 'utf8')), dbCipher.final()]);
  if (options.tamperDb) db[0] = (db[0] as number) ^ 1;
  return JSON.stringify({
    version: 1,
    header: {
      slots: [
        { type: 2, uuid: 'b', key: randomBytes(32).toString('hex'), key_params: { nonce: randomBytes(12).toString('hex'), tag: randomBytes(16).toString('hex') } },
        {
          type: 1,
          uuid: 'a',
          key: key.toString('hex'),
          key_params: { nonce: slotNonce.toString('hex'), tag: slotCipher.getAuthTag().toString('hex') },
          n,
          r: 8,
          p: 1,
          salt: salt.toString('hex'),
        },
      ],
      params: { nonce: dbNonce.toString('hex'), tag: dbCipher.getAuthTag().toString('hex') },
    },
    db: db.toString('base64'),
  });
}

const CONTENT = {
  version: 3,
  entries: [
    { type: 'totp', uuid: 'u1', name: 'alice@example.com', issuer: 'Example', note: '', favorite: false, icon: null, info: { secret: 'JBSWY3DPEHPK3PXP', algo: 'SHA1', digits: 6, period: 30 }, groups: [] },
    { type: 'hotp', uuid: 'u2', name: 'bob', issuer: '', info: { secret: 'GEZDGNBVGY3TQOJQ', algo: 'SHA256', digits: 8, counter: 7 } },
    { type: 'motp', uuid: 'u3', name: 'm', issuer: 'M', info: { secret: 'GEZDGNBV', algo: 'MD5', digits: 6, period: 10, pin: '1234' } },
    { type: 'totp', uuid: 'u4', name: 'broken', issuer: 'B', info: { secret: 'not base32 !', algo: 'SHA1', digits: 6, period: 30 } },
  ],
  groups: [],
};

describe('importAegis: the frozen samples in Aegis\' documented format (vectors/aegis-format)', () => {
  it('plain', async () => {
    const { entries, skipped } = await importAegis({ json: sample('plain') });
    expect(readable(entries)).toEqual(EXPECTED);
    expect(skipped).toEqual([{ type: 'steam', issuer: 'Adventure Works', account: 'gus', reason: 'unsupported' }]);
  });

  it('password-encrypted (password "test")', async () => {
    const json = sample('encrypted');
    const { entries, skipped } = await importAegis({ json, password: 'test' });
    expect(readable(entries)).toEqual(EXPECTED);
    expect(skipped.map((s) => s.type)).toEqual(['steam']);
    expect((await rejection(importAegis({ json, password: 'tset' }))).code).toBe('ERR_BACKUP_PASSWORD');
    expect((await rejection(importAegis({ json }))).code).toBe('ERR_BACKUP_PASSWORD_REQUIRED');
  });
});

describe('importAegis: exports encrypted with node:crypto', () => {
  it('opens, converts TOTP/HOTP and lists what it skipped', async () => {
    const { entries, skipped } = await importAegis({ json: encryptAegis(CONTENT, 'pässword'), password: 'pässword' });
    expect(readable(entries)).toEqual([
      { type: 'totp', issuer: 'Example', account: 'alice@example.com', secret: 'JBSWY3DPEHPK3PXP', algorithm: 'SHA1', digits: 6, period: 30 },
      { type: 'hotp', account: 'bob', secret: 'GEZDGNBVGY3TQOJQ', algorithm: 'SHA256', digits: 8, counter: 7 },
    ]);
    expect(skipped).toEqual([
      { type: 'motp', issuer: 'M', account: 'm', reason: 'unsupported' },
      { type: 'totp', issuer: 'B', account: 'broken', reason: 'invalid' },
    ]);
  });

  it('wrong password, damaged db, costly KDF, newer versions: each its own code', async () => {
    expect((await rejection(importAegis({ json: encryptAegis(CONTENT, 'a'), password: 'b' }))).code).toBe('ERR_BACKUP_PASSWORD');
    expect((await rejection(importAegis({ json: encryptAegis(CONTENT, 'a', { tamperDb: true }), password: 'a' }))).code).toBe('ERR_BACKUP_DAMAGED');
    const costly = JSON.parse(encryptAegis(CONTENT, 'a'));
    costly.header.slots[1].n = 2 ** 20;
    let scrypts = 0;
    const crypto = { scrypt: async () => { scrypts++; return new Uint8Array(32); } } as never;
    expect((await rejection(importAegis({ json: JSON.stringify(costly), password: 'a', crypto }))).code).toBe('ERR_BACKUP_KDF_COST');
    expect(scrypts).toBe(0);
    const newer = JSON.parse(sample('plain'));
    newer.version = 2;
    expect((await rejection(importAegis({ json: JSON.stringify(newer) }))).code).toBe('ERR_BACKUP_VERSION');
    newer.version = 1;
    newer.db.version = 4;
    expect((await rejection(importAegis({ json: JSON.stringify(newer) }))).code).toBe('ERR_BACKUP_VERSION');
    expect((await rejection(importAegis({ json: '{"version":1}' }))).code).toBe('ERR_BACKUP_FORMAT');
    const oddSalt = JSON.parse(encryptAegis(CONTENT, 'a'));
    oddSalt.header.slots[1].salt = 'abc';
    expect((await rejection(importAegis({ json: JSON.stringify(oddSalt), password: 'a' }))).code).toBe('ERR_BACKUP_FORMAT');
    expect((await rejection(importAegis({ json: 'not json' }))).code).toBe('ERR_BACKUP_FORMAT');
    expect((await rejection(importAegis({ json: 3 as never }))).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
