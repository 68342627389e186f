// RFC 4226 Appendix D and RFC 6238 Appendix B through the public API, on every path: an OtpKey
// (precomputed state), raw bytes (state per call), and CryptoProvider keys (core's pure-JS
// provider and a Node-native HMAC provider).
import { createHmac } from 'node:crypto';
import { type CryptoProvider, hexToBytes, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { describe, expect, it } from 'vitest';
import { createOtpKey, hotp, type OtpAlgorithm, type OtpSecret, totp } from '../src/index.js';
import { verifyHotp, verifyTotp } from '../src/server.js';
import rfc4226 from './vectors/rfc4226.json';
import rfc6238 from './vectors/rfc6238.json';

const nodeProvider: CryptoProvider = createCryptoProvider({
  name: 'node-hmac',
  hmac: (algorithm, key, message) => new Uint8Array(createHmac(algorithm.replace('SHA', 'sha'), key).update(message).digest()),
});

const paths: Array<[string, (seed: Uint8Array, algorithm: OtpAlgorithm) => OtpSecret]> = [
  ['OtpKey', (seed, algorithm) => createOtpKey({ secret: seed, algorithm })],
  ['raw bytes', (seed) => seed],
  ['pure-JS CryptoProvider', (seed, algorithm) => createOtpKey({ secret: seed, algorithm, crypto: pureJsCryptoProvider })],
  ['Node HMAC CryptoProvider', (seed, algorithm) => createOtpKey({ secret: seed, algorithm, crypto: nodeProvider })],
];

describe('RFC 4226 Appendix D', () => {
  const seed = utf8Encode(rfc4226.secretAscii);

  it('the fixture is self-consistent (HMAC from @noble/hashes, truncation, code)', () => {
    for (const v of rfc4226.vectors) {
      const counter = hexToBytes(v.counter.toString(16).padStart(16, '0'));
      expect(Buffer.from(hmac(sha1, seed, counter)).toString('hex')).toBe(v.hmacHex);
      expect(String(v.truncated % 1e6).padStart(6, '0')).toBe(v.hotp);
    }
  });

  it.each(paths)('hotp and verifyHotp via %s', (_, make) => {
    const secret = make(seed, 'SHA1');
    for (const v of rfc4226.vectors) {
      expect(hotp({ secret, counter: v.counter })).toBe(v.hotp);
      // Longer codes are the same truncated value modulo a larger power of ten.
      expect(hotp({ secret, counter: v.counter, digits: 10 })).toBe(String(v.truncated).padStart(10, '0'));
      expect(verifyHotp({ secret, code: v.hotp, counter: 0, lookAhead: 9 })).toEqual({ ok: true, delta: v.counter, counter: v.counter });
    }
  });
});

describe('RFC 6238 Appendix B (20-, 32- and 64-byte seeds)', () => {
  const seeds = {
    SHA1: utf8Encode(rfc6238.seedsAscii.SHA1),
    SHA256: utf8Encode(rfc6238.seedsAscii.SHA256),
    SHA512: utf8Encode(rfc6238.seedsAscii.SHA512),
  };

  it('seeds have the RFC lengths', () => {
    expect([seeds.SHA1.length, seeds.SHA256.length, seeds.SHA512.length]).toEqual([20, 32, 64]);
  });

  it.each(paths)('totp, hotp at the step, and verifyTotp via %s', (_, make) => {
    for (const v of rfc6238.vectors) {
      const algorithm = v.algorithm as OtpAlgorithm;
      const secret = make(seeds[algorithm], algorithm);
      const now = () => v.time * 1000;
      const step = parseInt(v.stepHex, 16);
      expect(step).toBe(Math.floor(v.time / 30));
      expect(totp({ secret, now, digits: 8, algorithm })).toBe(v.totp);
      expect(hotp({ secret, counter: step, digits: 8, algorithm })).toBe(v.totp);
      expect(verifyTotp({ secret, code: v.totp, now, digits: 8, algorithm })).toEqual({ ok: true, delta: 0, step });
      // The same code one period later is the previous step; with afterStep it is a replay.
      const later = () => v.time * 1000 + 30_000;
      expect(verifyTotp({ secret, code: v.totp, now: later, digits: 8, algorithm })).toEqual({ ok: true, delta: -1, step });
      expect(verifyTotp({ secret, code: v.totp, now: later, digits: 8, algorithm, afterStep: step })).toEqual({ ok: false, reason: 'replayed' });
    }
  });
});
