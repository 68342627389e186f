// The provider's own SHA-1 (src/crypto/sha1.ts) against FIPS 180-4's examples and, for every
// length across the padding boundaries and for HMAC, against @noble/hashes' legacy SHA-1.
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, pureJsCryptoProvider, utf8Encode } from '../src/index.js';
import { sha1 } from '../src/crypto/sha1.js';

// FIPS 180-4 / RFC 3174 section 7.3 test vectors.
const VECTORS: [string, string][] = [
  ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
];

describe('SHA-1 (provider)', () => {
  it('FIPS 180-4 examples, and one million "a"', () => {
    for (const [m, d] of VECTORS) expect(bytesToHex(sha1(utf8Encode(m)))).toBe(d);
    const h = sha1.create();
    const chunk = utf8Encode('a'.repeat(1000));
    for (let i = 0; i < 1000; i++) h.update(chunk);
    expect(bytesToHex(h.digest())).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });

  it('equals noble legacy SHA-1 for every length 0..300, split updates, clones and HMAC', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let n = 0; n <= 300; n++) {
      const m = data.subarray(0, n);
      const want = bytesToHex(nobleSha1(m));
      expect(bytesToHex(sha1(m))).toBe(want);
      const h = sha1.create().update(m.subarray(0, n >> 1));
      const c = h.clone();
      expect(bytesToHex(h.update(m.subarray(n >> 1)).digest())).toBe(want);
      expect(bytesToHex(c.update(m.subarray(n >> 1)).digest())).toBe(want);
      const key = data.subarray(n % 97, (n % 97) + (n % 130));
      expect(bytesToHex(pureJsCryptoProvider.hmac('SHA1', key, m))).toBe(bytesToHex(hmac(nobleSha1, key, m)));
    }
    expect(pureJsCryptoProvider.hash('SHA1', utf8Encode('abc'))).toEqual(nobleSha1(utf8Encode('abc')));
  });
});
