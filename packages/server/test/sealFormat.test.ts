// The sealed-secret formats of docs/server.md section 2, byte for byte: what the server seals
// opens with associated data built here from the spec alone, and what is sealed here opens in
// the server; a user id outside ASCII included (its UTF-8 is bound).
import { concatBytes, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryKeyRing, readKeyId } from '../src/internal/keyRing.js';
import { boundAttributes } from '../src/internal/meta.js';
import { createSealing } from '../src/internal/sealing.js';

const subtle = webcrypto.subtle;
const KEK = new Uint8Array(32).fill(9);
const lp16 = (b: Uint8Array) => concatBytes(new Uint8Array([b.length >>> 8, b.length & 0xff]), b);
let n = 0;
const random = (len: number) => Uint8Array.from({ length: len }, (_, i) => (i * 13 + n++) & 0xff);
const aes = (raw: Uint8Array, usage: 'encrypt' | 'decrypt') => subtle.importKey('raw', raw, 'AES-GCM', false, [usage]);
const meta = { mode: 'online' as const, otp: { type: 'totp' as const, algorithm: 'SHA1' as const, digits: 6, period: 30 }, device: { publicKey: 'BOZ4' } };

function sealing() {
  const ring = createMemoryKeyRing({ current: 'k1', keys: { k1: KEK } }, random, pureJsCryptoProvider);
  return createSealing({ provider: ring.provider, legacy: ring, cache: undefined, clock: () => 0, random, crypto: pureJsCryptoProvider });
}

describe('sealed secret formats', () => {
  for (const userId of ['alice', 'Zoë \u{1F600} \u00e9', 'x'.repeat(300)]) {
    const binding = { enrolmentId: 'AAAAAAAAAAAAAAAAAAAAAA', userId, attributes: boundAttributes(meta) };
    const attributes = utf8Encode(JSON.stringify(['cloudmfa/enrolment-binding/v1', 'online', ['totp', 'SHA1', 6, 30], 'BOZ4']));

    it(`0x03 opens with the spec's aad and wrapAad (user id ${userId.slice(0, 8)})`, async () => {
      const seed = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
      const blob = await sealing().seal('seed', seed, binding);
      expect(blob[0]).toBe(0x03);
      const kid = new TextDecoder().decode(blob.subarray(2, 2 + (blob[1] as number)));
      expect(kid).toBe('k1');
      let at = 2 + kid.length;
      const wl = ((blob[at] as number) << 8) | (blob[at + 1] as number);
      const wrapped = blob.subarray(at + 2, at + 2 + wl);
      at += 2 + wl;
      const wrapAad = concatBytes(utf8Encode('cloudmfa/server/data-key/v1'), new Uint8Array([0]), lp16(utf8Encode(binding.enrolmentId)));
      const dataKey = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: wrapped.subarray(0, 12), additionalData: wrapAad }, await aes(KEK, 'decrypt'), wrapped.subarray(12)));
      const aad = concatBytes(
        utf8Encode('cloudmfa/server/secret/v1'),
        new Uint8Array([0, 0x03]),
        lp16(utf8Encode(binding.enrolmentId)),
        lp16(utf8Encode(userId)),
        lp16(attributes),
      );
      const pt = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: blob.subarray(at, at + 12), additionalData: aad }, await aes(dataKey, 'decrypt'), blob.subarray(at + 12)));
      expect(pt).toEqual(concatBytes(new Uint8Array([0x02]), seed));
      const opened = await sealing().open(blob, binding);
      expect(opened).toEqual({ kind: 'seed', bytes: seed, keyId: 'k1' });
      await expect(sealing().open(blob, { ...binding, userId: `${userId}.` })).rejects.toMatchObject({ code: 'ERR_SERVER_DECRYPT' });
      await expect(sealing().open(blob, { ...binding, attributes: boundAttributes({ ...meta, device: { publicKey: 'BOZ5' } }) })).rejects.toMatchObject({
        code: 'ERR_SERVER_DECRYPT',
      });
    });

    it(`0x02 (sealed directly under the KEK, attributes bound) still opens (user id ${userId.slice(0, 8)})`, async () => {
      const header = new Uint8Array([0x02, 2, ...utf8Encode('k1')]);
      const aad = concatBytes(utf8Encode('cloudmfa/server/secret/v1'), new Uint8Array([0]), header, lp16(utf8Encode(binding.enrolmentId)), lp16(utf8Encode(userId)), lp16(attributes));
      const nonce = new Uint8Array(12).fill(3);
      const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad }, await aes(KEK, 'encrypt'), new Uint8Array([0x02, 5, 6, 7])));
      expect(await sealing().open(concatBytes(header, nonce, ct), binding)).toEqual({ kind: 'seed', bytes: new Uint8Array([5, 6, 7]), keyId: 'k1' });
    });
  }
});

describe('readKeyId', () => {
  const header = (kid: string, at = 1) => concatBytes(new Uint8Array(at), new Uint8Array([kid.length]), utf8Encode(kid));

  it('reads each id as its bytes say, whatever the id read before', () => {
    const seq = ['k1', 'k1', 'k2', 'k1', 'a.b-c_9', 'k!', 'k1', 'K1', 'x'.repeat(64), 'k\u00ff', 'k1'];
    for (const kid of seq) expect(readKeyId(header(kid), 1)).toBe(/^[A-Za-z0-9._-]{1,64}$/.test(kid) ? kid : null);
    expect(readKeyId(header('k1', 0), 0)).toBe('k1');
  });

  it('refuses an empty, an overlong or a truncated id', () => {
    expect(readKeyId(new Uint8Array([3, 0]), 1)).toBeNull();
    expect(readKeyId(concatBytes(new Uint8Array([3, 65]), new Uint8Array(65).fill(0x61)), 1)).toBeNull();
    expect(readKeyId(new Uint8Array([3, 2, 0x6b]), 1)).toBeNull();
    expect(readKeyId(new Uint8Array([3]), 1)).toBeNull();
  });
});
