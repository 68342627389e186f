// The hand-written SHA-1/256/512 and the HOTP-specialised HMAC, against @noble/hashes and the
// FIPS 180-4 constants. Seeded random inputs cover every length class (0..300 bytes, several
// blocks, keys longer than a block) and counters above 2^32.
import { bytesToHex, hexToBytes } from '@cloudmfa/core';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hotpTruncated, prepareKey } from '../src/_hmac.js';
import { type AlgIndex, digest, IV256, IV512, K256, K512 } from '../src/_sha.js';
import constants from './vectors/sha2-constants.json';

const NOBLE = [sha1, sha256, sha512] as const;
const ALGS: AlgIndex[] = [0, 1, 2];
const words = (list: string[]): number[] => list.flatMap((h) => [parseInt(h.slice(0, 8), 16) | 0, parseInt(h.slice(8), 16) | 0]);

describe('SHA-2 constants derived at load time', () => {
  it('equal FIPS 180-4 word for word', () => {
    expect(Array.from(K512)).toEqual(words(constants.sha512K));
    expect(Array.from(IV512)).toEqual(words(constants.sha512IV));
    expect(Array.from(K256)).toEqual(words(constants.sha512K).filter((_, i) => i % 2 === 0).slice(0, 64));
    expect(Array.from(IV256)).toEqual(words(constants.sha512IV).filter((_, i) => i % 2 === 0));
  });
});

describe('digest() equals @noble/hashes', () => {
  it.each(ALGS)('algorithm %i on every length 0..300', (alg) => {
    for (let n = 0; n <= 300; n++) {
      const m = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);
      expect(bytesToHex(digest(alg, m))).toBe(bytesToHex(NOBLE[alg](m)));
    }
  });

  it('known answers (FIPS 180-4 examples, "abc")', () => {
    const abc = new Uint8Array([0x61, 0x62, 0x63]);
    expect(bytesToHex(digest(0, abc))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(bytesToHex(digest(1, abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(digest(2, abc))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });
});

describe('hotpTruncated() equals RFC 4226 truncation of @noble/hashes HMAC', () => {
  const truncate = (mac: Uint8Array): number => {
    const o = (mac[mac.length - 1] as number) & 15;
    return (((mac[o] as number) & 0x7f) << 24) | ((mac[o + 1] as number) << 16) | ((mac[o + 2] as number) << 8) | (mac[o + 3] as number);
  };
  const counterBytes = (c: number): Uint8Array => {
    const b = new Uint8Array(8);
    let x = c;
    for (let i = 7; i >= 0; i--) {
      b[i] = x % 256;
      x = Math.floor(x / 256);
    }
    return b;
  };

  it('for seeded random keys (0..300 bytes) and counters (0..2^53-1)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALGS),
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.oneof(fc.integer({ min: 0, max: 2 ** 32 + 5 }), fc.maxSafeNat()),
        (alg, key, counter) => {
          const expected = truncate(hmac(NOBLE[alg], key, counterBytes(counter)));
          expect(hotpTruncated(prepareKey(alg, key), Math.floor(counter / 2 ** 32), counter >>> 0)).toBe(expected);
        },
      ),
      { seed: 42, numRuns: 600 },
    );
  });

  it('at the block-size boundaries of the key', () => {
    for (const alg of ALGS) {
      for (const n of [63, 64, 65, 127, 128, 129]) {
        const key = Uint8Array.from({ length: n }, (_, i) => i);
        expect(hotpTruncated(prepareKey(alg, key), 1, 2)).toBe(truncate(hmac(NOBLE[alg], key, hexToBytes('0000000100000002'))));
      }
    }
  });
});
