import { scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bytesToHex, concatBytes, hexToBytes, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { importBackup } from '../../src/backup/index.js';
import { KIND_BACKUP, KIND_VAULT, SLOT_DEVICE, SLOT_PASSWORD, SLOT_PIN, sealRecord, shortHash, wrapKey } from '../../src/vault/format.js';
import { openVault } from '../../src/vault/index.js';
import { encodePointer } from '../../src/vault/records.js';
import { inspectableStore } from './helpers.js';

interface Vector {
  name: string;
  inputs: Record<string, string | number>;
  record: string;
  pointer?: string;
}
const file = JSON.parse(readFileSync(new URL('../vectors/vault-v1.json', import.meta.url), 'utf8')) as { source: string; vectors: Vector[] };
const byName = (name: string): Vector => file.vectors.find((v) => v.name === name) as Vector;
const h = (v: string | number | undefined): Uint8Array => hexToBytes(String(v));

// An independent reading of docs/protocol/vault.md section 3, written from the text with
// offsets counted by hand: node:crypto's scrypt and noble's XChaCha20-Poly1305 only.
function independentOpen(record: Uint8Array, slotKey: Uint8Array): Uint8Array {
  const body = record.subarray(0, record.length - 32);
  expect(bytesToHex(sha256(body))).toBe(bytesToHex(record.subarray(record.length - 32)));
  expect(bytesToHex(record.subarray(0, 4))).toBe('434d4656');
  const kind = record[5] as number;
  expect(record[6]).toBe(1); // one slot
  const type = record[7] as number;
  const descriptorLength = type === 2 || type === 4 ? 1 + 4 + 16 : 1;
  const descriptor = record.subarray(7, 7 + descriptorLength);
  let at = 7 + descriptorLength;
  const wrapNonce = record.subarray(at, at + 24);
  const wrapped = record.subarray(at + 24, at + 72);
  at += 72;
  const headerNonce = record.subarray(at, at + 24);
  at += 24;
  const header = record.subarray(0, at);
  const prefix = record.subarray(0, 6);
  const mk = xchacha20poly1305(slotKey, wrapNonce, concatBytes(prefix, descriptor)).decrypt(wrapped);
  const ck = xchacha20poly1305(mk, headerNonce, header).decrypt(record.subarray(at, at + 48));
  at += 48;
  const contentsNonce = record.subarray(at, at + 24);
  at += 24;
  expect(kind === 1 || kind === 2).toBe(true);
  return xchacha20poly1305(ck, contentsNonce, prefix).decrypt(body.subarray(at));
}

/**
 * A record rebuilt from a vector's inputs with one scrypt slot (`secret` is the PIN or the
 * password); checks the vector's slot key on the way.
 */
function rebuild(i: Record<string, string | number | undefined>, kind: typeof KIND_VAULT | typeof KIND_BACKUP, type: typeof SLOT_PIN | typeof SLOT_PASSWORD, secret: string) {
  const kdf = { log2N: Number(i.log2N), r: Number(i.r), p: Number(i.p), salt: h(i.salt) };
  const slotKey = new Uint8Array(scryptSync(utf8Encode(secret), kdf.salt, 32, { N: 2 ** kdf.log2N, r: kdf.r, p: kdf.p }));
  expect(bytesToHex(slotKey)).toBe(i.slotKey);
  const slot = wrapKey(slotKey, h(i.slotNonce), kind, { type, kdf }, h(i.masterKey));
  const { bytes } = sealRecord({
    kind,
    slots: [slot],
    masterKey: h(i.masterKey),
    contentsKey: h(i.contentsKey),
    headerNonce: h(i.headerNonce),
    contentsNonce: h(i.contentsNonce),
    contents: h(i.contents),
  });
  return { slotKey, bytes };
}

describe('frozen vectors (test/vectors/vault-v1.json)', () => {
  it('names its source', () => {
    expect(file.source).toMatch(/generate\.ts/);
  });

  it('pin-vault: rebuilt byte for byte from its inputs', async () => {
    const v = byName('pin-vault');
    const i = v.inputs;
    const { slotKey, bytes } = rebuild(i, KIND_VAULT, SLOT_PIN, String(i.pin));
    expect(bytesToHex(bytes)).toBe(v.record);
    expect(bytesToHex(encodePointer({ which: 0, generation: 1, recordHash: shortHash(bytes, 16) }))).toBe(v.pointer);
    expect(bytesToHex(independentOpen(bytes, slotKey))).toBe(i.contents);
  });

  it('pin-vault: opens through openVault with the PIN', async () => {
    const v = byName('pin-vault');
    const store = inspectableStore();
    await store.set('cloudmfa.vault.v0', h(v.record));
    await store.set('cloudmfa.vault.ptr', h(v.pointer));
    const vault = await openVault({ store });
    expect(vault.status()).toMatchObject({ state: 'locked', hasPin: true });
    expect(await vault.unlock('000000')).toMatchObject({ ok: false, reason: 'wrong-pin' });
    expect(await vault.unlock(String(v.inputs.pin))).toEqual({ ok: true });
    expect(utf8Decode(vault.read())).toBe('{"identities":[{"issuer":"Example","secret":"JBSWY3DPEHPK3PXP"}]}');
  });

  it('device-vault: rebuilt and opened with the device key', async () => {
    const v = byName('device-vault');
    const i = v.inputs;
    const slot = wrapKey(h(i.deviceKey), h(i.slotNonce), KIND_VAULT, { type: SLOT_DEVICE }, h(i.masterKey));
    const { bytes } = sealRecord({
      kind: KIND_VAULT,
      slots: [slot],
      masterKey: h(i.masterKey),
      contentsKey: h(i.contentsKey),
      headerNonce: h(i.headerNonce),
      contentsNonce: h(i.contentsNonce),
      contents: new Uint8Array(0),
    });
    expect(bytesToHex(bytes)).toBe(v.record);
    expect(independentOpen(bytes, h(i.deviceKey))).toEqual(new Uint8Array(0));
    const store = inspectableStore();
    await store.set('cloudmfa.vault.v1', bytes);
    await store.set('cloudmfa.vault.ptr', h(v.pointer));
    await store.set('cloudmfa.vault.dev', h(i.deviceKey));
    const vault = await openVault({ store });
    expect(vault.status()).toMatchObject({ state: 'unlocked', hasPin: false });
    expect(vault.read()).toEqual(new Uint8Array(0));
  });

  it('backup: rebuilt byte for byte and opened by importBackup', async () => {
    const v = byName('backup');
    const i = v.inputs;
    const { slotKey, bytes } = rebuild(i, KIND_BACKUP, SLOT_PASSWORD, String(i.password));
    expect(bytesToHex(bytes)).toBe(v.record);
    expect(utf8Decode(independentOpen(bytes, slotKey))).toBe('backup contents v1');
    expect(utf8Decode(await importBackup({ file: h(v.record), password: String(i.password) }))).toBe('backup contents v1');
  });
});
