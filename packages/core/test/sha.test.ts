// The SHA family of @cloudmfa/core/sha (streaming objects over the hand-written compressions,
// and the one-shot digest @cloudmfa/otp uses) against @noble/hashes' own SHA-1/256/512, FIPS
// 180-4 / RFC 3174 vectors and FIPS 180-4's constant tables: every length class, split updates,
// clones, HMAC, HKDF and PBKDF2 through noble's generic code, and misuse.
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, pureJsCryptoProvider, utf8Encode } from '../src/index.js';
import { type AlgIndex, digest, IV256, IV512, K256, K512 } from '../src/crypto/sha.js';
import { sha1, sha256, sha512 } from '../src/sha.js';
import constants from './vectors/sha2-constants.json';

// FIPS 180-4 examples (NIST CSRC) and RFC 3174 section 7.3.
const VECTORS: [string, string, string][] = [
  ['SHA1', '', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['SHA1', 'abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['SHA1', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
  ['SHA256', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['SHA256', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['SHA512', 'abc', 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
  [
    'SHA512',
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
  ],
];
const OURS = { SHA1: sha1, SHA256: sha256, SHA512: sha512 } as const;
const NOBLE = { SHA1: nobleSha1, SHA256: nobleSha256, SHA512: nobleSha512 } as const;
const NAMES = ['SHA1', 'SHA256', 'SHA512'] as const;
const NOBLE_BY_INDEX = [nobleSha1, nobleSha256, nobleSha512] as const;
const ALGS: AlgIndex[] = [0, 1, 2];
const words = (list: string[]): number[] => list.flatMap((h) => [parseInt(h.slice(0, 8), 16) | 0, parseInt(h.slice(8), 16) | 0]);


describe('@cloudmfa/core/sha', () => {
  it('FIPS 180-4 examples, and one million "a"', () => {
    for (const [alg, m, d] of VECTORS) expect(bytesToHex(OURS[alg as keyof typeof OURS](utf8Encode(m)))).toBe(d);
    const million = { SHA1: '34aa973cd4c4daa4f61eeb2bdbad27316534016f', SHA256: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0', SHA512: 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b' };
    const chunk = utf8Encode('a'.repeat(1000));
    for (const alg of NAMES) {
      const h = OURS[alg].create();
      for (let i = 0; i < 1000; i++) h.update(chunk);
      expect(bytesToHex(h.digest())).toBe(million[alg]);
    }
  });

  it.each(NAMES)('%s equals @noble/hashes for every length 0..300, split updates, clones, HMAC', (alg) => {
    const ours = OURS[alg];
    const noble = NOBLE[alg];
    expect([ours.outputLen, ours.blockLen, ours.canXOF]).toEqual([noble.outputLen, noble.blockLen, noble.canXOF]);
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let n = 0; n <= 300; n++) {
      const m = data.subarray(0, n);
      const want = bytesToHex(noble(m));
      expect(bytesToHex(ours(m))).toBe(want);
      const h = ours.create().update(m.subarray(0, n >> 1));
      const c = h.clone();
      expect(bytesToHex(h.update(m.subarray(n >> 1)).digest())).toBe(want);
      // Byte-at-a-time updates on the clone cross every block boundary one byte at a time.
      for (let i = n >> 1; i < n; i++) c.update(m.subarray(i, i + 1));
      expect(bytesToHex(c.digest())).toBe(want);
      const key = data.subarray(n % 97, (n % 97) + (n % 150));
      expect(bytesToHex(hmac(ours, key, m))).toBe(bytesToHex(hmac(noble, key, m)));
      expect(bytesToHex(pureJsCryptoProvider.hmac(alg, key, m))).toBe(bytesToHex(hmac(noble, key, m)));
    }
    expect(pureJsCryptoProvider.hash(alg, utf8Encode('abc'))).toEqual(noble(utf8Encode('abc')));
  });

  it('drives noble HKDF and PBKDF2 (clone-heavy) to the same bytes as noble SHA-2', () => {
    const ikm = Uint8Array.from({ length: 77 }, (_, i) => i);
    expect(bytesToHex(hkdf(sha256, ikm, ikm.subarray(0, 13), ikm.subarray(5, 40), 200))).toBe(bytesToHex(hkdf(nobleSha256, ikm, ikm.subarray(0, 13), ikm.subarray(5, 40), 200)));
    for (const [ours, noble] of [[sha256, nobleSha256], [sha512, nobleSha512], [sha1, nobleSha1]] as const) {
      expect(bytesToHex(pbkdf2(ours, ikm, ikm.subarray(3, 19), { c: 33, dkLen: 100 }))).toBe(bytesToHex(pbkdf2(noble, ikm, ikm.subarray(3, 19), { c: 33, dkLen: 100 })));
    }
  });

  it('refuses misuse with ERR_INVALID_ARGUMENT: non-bytes, reuse after digest, after destroy, a short output', () => {
    const code = { code: 'ERR_INVALID_ARGUMENT' };
    expect(() => sha256('abc' as unknown as Uint8Array)).toThrow(expect.objectContaining(code));
    const h = sha256.create();
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(expect.objectContaining(code));
    expect(() => h.digest()).toThrow(expect.objectContaining(code));
    const d = sha512.create();
    d.destroy();
    expect(() => d.update(new Uint8Array(1))).toThrow(expect.objectContaining(code));
    expect(() => sha1.create().digestInto(new Uint8Array(19))).toThrow(expect.objectContaining(code));
    // A longer output buffer is allowed (noble's rule): only the first outputLen bytes are written.
    const out = new Uint8Array(40).fill(0xee);
    sha256.create().update(utf8Encode('abc')).digestInto(out);
    expect(bytesToHex(out.subarray(0, 32))).toBe(VECTORS[3]?.[2]);
    expect(out.subarray(32).every((b) => b === 0xee)).toBe(true);
  });
});

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
      expect(bytesToHex(digest(alg, m))).toBe(bytesToHex(NOBLE_BY_INDEX[alg](m)));
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
