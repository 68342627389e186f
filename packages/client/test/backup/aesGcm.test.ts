// The small AES-256-GCM opener of Aegis import (src/backup/_aesGcm.ts) against @noble/ciphers'
// gcm: same plaintext for every sealed input, and a refusal for every altered one.
import { gcm } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aes256GcmOpen } from '../../src/backup/_aesGcm.js';

describe('AES-256-GCM open (Aegis import)', () => {
  it('opens what @noble/ciphers seals, for lengths 0..80 (partial and whole blocks)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 80 }), (key, nonce, plain) => {
        const sealed = gcm(key, nonce).encrypt(plain);
        const opened = aes256GcmOpen(key, nonce, sealed.subarray(0, plain.length), sealed.subarray(plain.length));
        expect(opened).toEqual(plain);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('refuses a flipped bit anywhere (ciphertext or tag), a wrong key and a wrong nonce', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), (key, nonce, plain, at) => {
        const sealed = gcm(key, nonce).encrypt(plain);
        const bit = at % (sealed.length * 8);
        const bad = sealed.slice();
        bad[bit >>> 3]! ^= 1 << (bit & 7);
        expect(aes256GcmOpen(key, nonce, bad.subarray(0, plain.length), bad.subarray(plain.length))).toBeUndefined();
        const otherKey = key.slice();
        otherKey[0]! ^= 1;
        expect(aes256GcmOpen(otherKey, nonce, sealed.subarray(0, plain.length), sealed.subarray(plain.length))).toBeUndefined();
        const otherNonce = nonce.slice();
        otherNonce[11]! ^= 0x80;
        expect(aes256GcmOpen(key, otherNonce, sealed.subarray(0, plain.length), sealed.subarray(plain.length))).toBeUndefined();
      }),
      { seed: 8, numRuns: 200 },
    );
  });

  it('NIST SP 800-38D test case 14 (AES-256, zero key, zero IV, one zero block)', () => {
    const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => Number.parseInt(b, 16)));
    const opened = aes256GcmOpen(new Uint8Array(32), new Uint8Array(12), hex('cea7403d4d606b6e074ec5d3baf39d18'), hex('d0d1c8a799996bf0265b98b5d48ab919'));
    expect(opened).toEqual(new Uint8Array(16));
  });
});
