import { type CryptoProvider, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ascii, caught, caughtSync, hex, toHex } from './helpers.js';
import { nodeProvider } from './nodeProvider.js';
import rfc5869 from './vectors/rfc5869.json';
import rfc7914 from './vectors/rfc7914.json';

const providers: [string, CryptoProvider][] = [
  ['pure-js', pureJsCryptoProvider],
  ['node:crypto via createCryptoProvider', nodeProvider],
];

describe.each(providers)('%s: RFC vectors', (_name, provider) => {
  it.each(rfc7914.scrypt)('scrypt P=$password S=$salt N=$N r=$r p=$p (RFC 7914 section 12)', async (v) => {
    const dk = await provider.scrypt(ascii(v.password), ascii(v.salt), { N: v.N, r: v.r, p: v.p, dkLen: v.dkLen });
    expect(toHex(dk)).toBe(v.dk);
  });

  it.each(rfc7914.pbkdf2Sha256)('PBKDF2-HMAC-SHA256 P=$password c=$iterations (RFC 7914 section 11)', async (v) => {
    const dk = await provider.pbkdf2Sha256(ascii(v.password), ascii(v.salt), { iterations: v.iterations, dkLen: v.dkLen });
    expect(toHex(dk)).toBe(v.dk);
  });

  it.each(rfc5869.cases)('HKDF-SHA256 RFC 5869 $case', (v) => {
    expect(toHex(provider.hkdfSha256(hex(v.ikm), hex(v.salt), hex(v.info), v.length))).toBe(v.okm);
  });
});

describe('webCryptoProvider keeps the pure KDFs and hashes (the same functions, not copies)', () => {
  it('shares them', () => {
    const web = webCryptoProvider();
    expect(web.scrypt).toBe(pureJsCryptoProvider.scrypt);
    expect(web.pbkdf2Sha256).toBe(pureJsCryptoProvider.pbkdf2Sha256);
    expect(web.hkdfSha256).toBe(pureJsCryptoProvider.hkdfSha256);
    expect(web.hmac).toBe(pureJsCryptoProvider.hmac);
  });
});

describe('hmac, hash and the KDFs: pure-js agrees with node:crypto (fast-check, seeded)', () => {
  it('on random keys, messages and algorithms', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('SHA1' as const, 'SHA256' as const, 'SHA512' as const),
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 300 }),
        (algorithm, key, message) => {
          expect(toHex(pureJsCryptoProvider.hmac(algorithm, key, message))).toBe(toHex(nodeProvider.hmac(algorithm, key, message)));
          expect(toHex(pureJsCryptoProvider.hash(algorithm, message))).toBe(toHex(nodeProvider.hash(algorithm, message)));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('scrypt, PBKDF2 and HKDF on random inputs and parameters (r, p > 1, odd lengths)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 150 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.constantFrom(2, 4, 16, 64),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 200 }),
        async (password, salt, N, r, p, dkLen) => {
          const params = { N, r, p, dkLen };
          expect(toHex(await pureJsCryptoProvider.scrypt(password, salt, params))).toBe(toHex(await nodeProvider.scrypt(password, salt, params)));
          const pb = { iterations: 1 + (dkLen % 7), dkLen };
          expect(toHex(await pureJsCryptoProvider.pbkdf2Sha256(password, salt, pb))).toBe(toHex(await nodeProvider.pbkdf2Sha256(password, salt, pb)));
          expect(toHex(pureJsCryptoProvider.hkdfSha256(password, salt, salt, dkLen))).toBe(toHex(nodeProvider.hkdfSha256(password, salt, salt, dkLen)));
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });

  it('RFC 4226 Appendix D: HMAC-SHA-1 of counter 0 under the ASCII secret', () => {
    const mac = pureJsCryptoProvider.hmac('SHA1', utf8Encode('12345678901234567890'), new Uint8Array(8));
    expect(toHex(mac)).toBe('cc93cf18508d94934c64b65d8ba7667fb7cde4b0');
  });
});

// A host KDF that records whether it was ever called: the ceilings must stop a call first.
function spyHost() {
  const scrypt = vi.fn(async (_pw: Uint8Array, _s: Uint8Array, { dkLen }: { dkLen: number }) => new Uint8Array(dkLen));
  const pbkdf2Sha256 = vi.fn(async (_pw: Uint8Array, _s: Uint8Array, { dkLen }: { dkLen: number }) => new Uint8Array(dkLen));
  const hkdfSha256 = vi.fn((_i: Uint8Array, _s: Uint8Array, _f: Uint8Array, length: number) => new Uint8Array(length));
  const hmac = vi.fn(() => new Uint8Array(32));
  return { provider: createCryptoProvider({ name: 'spy', scrypt, pbkdf2Sha256, hkdfSha256, hmac }), scrypt, pbkdf2Sha256, hkdfSha256, hmac };
}

describe('argument checks and cost ceilings, identical for pure-js and guarded host primitives', () => {
  const pw = utf8Encode('pw');
  const salt = utf8Encode('salt');
  const badScrypt: [string, unknown][] = [
    ['N not a power of two', { N: 1000, r: 8, p: 1, dkLen: 32 }],
    ['N = 1', { N: 1, r: 8, p: 1, dkLen: 32 }],
    ['r = 0', { N: 1024, r: 0, p: 1, dkLen: 32 }],
    ['p = 0', { N: 1024, r: 8, p: 0, dkLen: 32 }],
    ['dkLen = 0', { N: 1024, r: 8, p: 1, dkLen: 0 }],
    ['dkLen = 1025', { N: 1024, r: 8, p: 1, dkLen: 1025 }],
    ['memory above 1 GiB (N = 2^21, r = 8)', { N: 2 ** 21, r: 8, p: 1, dkLen: 32 }],
    ['work above 2^26 (N = 2^14, r = 8, p = 1024)', { N: 2 ** 14, r: 8, p: 1024, dkLen: 32 }],
    ['fractional N', { N: 1024.5, r: 8, p: 1, dkLen: 32 }],
    ['string N', { N: '1024', r: 8, p: 1, dkLen: 32 }],
    ['missing params', undefined],
  ];
  it.each(badScrypt)('scrypt refuses %s with ERR_INVALID_ARGUMENT before any work', async (_label, params) => {
    const spy = spyHost();
    for (const provider of [pureJsCryptoProvider, spy.provider]) {
      const err = await caught(() => provider.scrypt(pw, salt, params as never));
      expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(spy.scrypt).not.toHaveBeenCalled();
  });

  it.each([
    ['iterations = 0', { iterations: 0, dkLen: 32 }],
    ['iterations above 2^24', { iterations: 2 ** 24 + 1, dkLen: 32 }],
    ['dkLen = 0', { iterations: 1, dkLen: 0 }],
    ['dkLen = 4096', { iterations: 1, dkLen: 4096 }],
  ])('pbkdf2Sha256 refuses %s with ERR_INVALID_ARGUMENT before any work', async (_label, params) => {
    const spy = spyHost();
    for (const provider of [pureJsCryptoProvider, spy.provider]) {
      expect((await caught(() => provider.pbkdf2Sha256(pw, salt, params))).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(spy.pbkdf2Sha256).not.toHaveBeenCalled();
  });

  it('hkdfSha256 refuses lengths outside [1, 8160]', () => {
    const spy = spyHost();
    for (const provider of [pureJsCryptoProvider, spy.provider]) {
      for (const length of [0, 8161, 1.5]) {
        expect(caughtSync(() => provider.hkdfSha256(pw, salt, salt, length)).code).toBe('ERR_INVALID_ARGUMENT');
      }
      expect(provider.hkdfSha256(pw, salt, salt, 8160)).toHaveLength(8160);
    }
    expect(spy.hkdfSha256).toHaveBeenCalledOnce();
  });

  it('refuses JavaScript strings as key material (noble would run them through TextEncoder)', async () => {
    const spy = spyHost();
    for (const provider of [pureJsCryptoProvider, spy.provider]) {
      expect((await caught(() => provider.scrypt('pw' as never, salt, { N: 16, r: 1, p: 1, dkLen: 16 }))).code).toBe('ERR_INVALID_ARGUMENT');
      expect((await caught(() => provider.pbkdf2Sha256(pw, 'salt' as never, { iterations: 1, dkLen: 16 }))).code).toBe('ERR_INVALID_ARGUMENT');
      expect(caughtSync(() => provider.hmac('SHA256', 'key' as never, salt)).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(spy.scrypt).not.toHaveBeenCalled();
    expect(spy.hmac).not.toHaveBeenCalled();
  });

  it.each(['MD5', 'sha256', '__proto__', 'toString', undefined])('refuses hash algorithm %j', (algorithm) => {
    const spy = spyHost();
    for (const provider of [pureJsCryptoProvider, spy.provider]) {
      expect(caughtSync(() => provider.hmac(algorithm as never, pw, salt)).code).toBe('ERR_INVALID_ARGUMENT');
      expect(caughtSync(() => provider.hash(algorithm as never, salt)).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(spy.hmac).not.toHaveBeenCalled();
  });

  it('gives the host a fresh copy of the parameters, nothing else', async () => {
    const spy = spyHost();
    await spy.provider.scrypt(pw, salt, { N: 16, r: 1, p: 1, dkLen: 16, maxmem: 1e12 } as never);
    expect(spy.scrypt.mock.calls[0]?.[2]).toEqual({ N: 16, r: 1, p: 1, dkLen: 16 });
  });
});
