// The HOTP-specialised HMAC on @cloudmfa/core/sha's compressions, against @noble/hashes' HMAC.
// Seeded random keys cover every length class (0..300 bytes, keys longer than a block) and
// counters above 2^32. The compressions and their constants are tested in core (test/sha.test.ts).
import { hexToBytes } from '@cloudmfa/core';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlgIndex } from '@cloudmfa/core/sha';
import { hotpTruncated, prepareKey } from '../src/_hmac.js';

const NOBLE = [sha1, sha256, sha512] as const;
const ALGS: AlgIndex[] = [0, 1, 2];

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
