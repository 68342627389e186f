import { p256 } from '@noble/curves/nist.js';
import { type CryptoProvider, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { caught, caughtSync, hex, toHex } from './helpers.js';
import { nodeProvider } from './nodeProvider.js';
import rfc8032 from './vectors/rfc8032.json';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const pw = utf8Encode('pw');
const salt = utf8Encode('salt');
const params = { N: 16, r: 1, p: 1, dkLen: 16 };

describe('pureJsCryptoProvider', () => {
  it('is frozen: nobody can swap a primitive globally', () => {
    expect(Object.isFrozen(pureJsCryptoProvider)).toBe(true);
    expect(() => {
      (pureJsCryptoProvider as { p256Verify: unknown }).p256Verify = async () => true;
    }).toThrow(TypeError);
  });
});

describe('createCryptoProvider: merging', () => {
  it('takes defined overrides, the rest from the base, and freezes the result', async () => {
    const scrypt = vi.fn(async () => new Uint8Array(16).fill(1));
    const provider = createCryptoProvider({ scrypt });
    expect(provider.name).toBe('pure-js+custom');
    expect(toHex(await provider.scrypt(pw, salt, params))).toBe('01'.repeat(16));
    expect(provider.hmac).toBe(pureJsCryptoProvider.hmac);
    expect(Object.isFrozen(provider)).toBe(true);
    expect(createCryptoProvider({ name: 'native' }).name).toBe('native');
  });

  it('ignores an undefined override instead of erasing the base operation', async () => {
    const provider = createCryptoProvider({ scrypt: undefined, p256Verify: undefined });
    expect(provider.scrypt).toBe(pureJsCryptoProvider.scrypt);
    expect(typeof provider.p256Verify).toBe('function');
    expect(await provider.scrypt(pw, salt, params)).toHaveLength(16);
  });

  it('refuses an unknown operation (a typo would silently keep the slow path)', () => {
    const err = caughtSync(() => createCryptoProvider({ scrpyt: async () => new Uint8Array(16) } as never));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.message).toContain('"scrpyt"');
  });

  it('refuses members that are not functions, and non-object arguments', () => {
    expect(caughtSync(() => createCryptoProvider({ hmac: 'fast' } as never)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => createCryptoProvider(null as never)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => createCryptoProvider({ base: { name: 'half' } as never })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => createCryptoProvider({ name: 7 } as never)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('calls class-based hosts as methods, prototype methods included', async () => {
    class NativeKdf {
      readonly fill = 3;
      readonly base = new NativeBase();
      async scrypt(_p: Uint8Array, _s: Uint8Array, { dkLen }: { dkLen: number }): Promise<Uint8Array> {
        return new Uint8Array(dkLen).fill(this.fill);
      }
    }
    class NativeBase {
      readonly name = 'native-base';
      private readonly inner = pureJsCryptoProvider;
      hmac(...a: Parameters<CryptoProvider['hmac']>) { return this.inner.hmac(...a); }
      hash(...a: Parameters<CryptoProvider['hash']>) { return this.inner.hash(...a); }
      hkdfSha256(...a: Parameters<CryptoProvider['hkdfSha256']>) { return this.inner.hkdfSha256(...a); }
      scrypt(...a: Parameters<CryptoProvider['scrypt']>) { return this.inner.scrypt(...a); }
      pbkdf2Sha256(...a: Parameters<CryptoProvider['pbkdf2Sha256']>) { return this.inner.pbkdf2Sha256(...a); }
      p256Verify(...a: Parameters<CryptoProvider['p256Verify']>) { return this.inner.p256Verify(...a); }
      ed25519Verify(...a: Parameters<CryptoProvider['ed25519Verify']>) { return this.inner.ed25519Verify(...a); }
    }
    const provider = createCryptoProvider(new NativeKdf() as never);
    expect(provider.name).toBe('native-base+custom');
    expect(toHex(await provider.scrypt(pw, salt, params))).toBe('03'.repeat(16));
    expect(toHex(provider.hmac('SHA256', pw, salt))).toBe(toHex(pureJsCryptoProvider.hmac('SHA256', pw, salt)));
  });

  it('does not wrap twice when providers are layered', () => {
    const inner = createCryptoProvider({ scrypt: async (_p, _s, { dkLen }) => new Uint8Array(dkLen) });
    const outer = createCryptoProvider({ name: 'outer', base: inner });
    expect(outer.scrypt).toBe(inner.scrypt);
  });
});

describe('createCryptoProvider: guards around host primitives', () => {
  it('a host error becomes ERR_CRYPTO_PROVIDER without the host error, its message or its cause', async () => {
    const leaky = Object.assign(new Error('scrypt failed for password "hunter2"'), { code: 'ERR_CRYPTO_INVALID_SCRYPT_PARAMS' });
    const provider = createCryptoProvider({ name: 'leaky', scrypt: async () => Promise.reject(leaky) });
    const err = await caught(() => provider.scrypt(utf8Encode('hunter2'), salt, params));
    expect(err.code).toBe('ERR_CRYPTO_PROVIDER');
    expect(err.message).not.toContain('hunter2');
    expect(err.message).toContain('(ERR_CRYPTO_INVALID_SCRYPT_PARAMS)');
    expect(err.cause).toBeUndefined();
  });

  it('keeps only codes that look like codes', async () => {
    const provider = createCryptoProvider({
      pbkdf2Sha256: async () => {
        throw Object.assign(new Error('x'), { code: 'hunter2 is the password' });
      },
    });
    const err = await caught(() => provider.pbkdf2Sha256(pw, salt, { iterations: 1, dkLen: 16 }));
    expect(err.code).toBe('ERR_CRYPTO_PROVIDER');
    expect(err.message).not.toContain('hunter2');
  });

  it('a synchronous host error (hmac) becomes ERR_CRYPTO_PROVIDER too', () => {
    const provider = createCryptoProvider({
      hmac: () => {
        throw new Error('key=000102');
      },
    });
    const err = caughtSync(() => provider.hmac('SHA1', pw, salt));
    expect(err.code).toBe('ERR_CRYPTO_PROVIDER');
    expect(err.message).not.toContain('000102');
  });

  it.each([
    ['a short key', async () => new Uint8Array(15)],
    ['a string', async () => 'ab'.repeat(8)],
    ['an array of numbers', async () => new Array(16).fill(0)],
    ['nothing', async () => undefined],
  ])('refuses a host KDF that returns %s', async (_label, scrypt) => {
    const provider = createCryptoProvider({ scrypt: scrypt as never });
    expect((await caught(() => provider.scrypt(pw, salt, params))).code).toBe('ERR_CRYPTO_PROVIDER');
  });

  it('checks hmac, hash and hkdf output lengths', () => {
    const provider = createCryptoProvider({
      hmac: () => new Uint8Array(19),
      hash: () => new Uint8Array(32),
      hkdfSha256: (_i, _s, _f, length) => new Uint8Array(length - 1),
    });
    expect(caughtSync(() => provider.hmac('SHA1', pw, salt)).code).toBe('ERR_CRYPTO_PROVIDER');
    expect(caughtSync(() => provider.hash('SHA512', salt)).code).toBe('ERR_CRYPTO_PROVIDER');
    expect(provider.hash('SHA256', salt)).toHaveLength(32);
    expect(caughtSync(() => provider.hkdfSha256(pw, salt, salt, 42)).code).toBe('ERR_CRYPTO_PROVIDER');
  });

  it('accepts a Node Buffer of the right length from the host', async () => {
    const provider = createCryptoProvider({ scrypt: async () => Buffer.alloc(16, 2) });
    expect(toHex(await provider.scrypt(pw, salt, params))).toBe('02'.repeat(16));
  });

  it.each([
    ['1', 1],
    ["'true'", 'true'],
    ['an object', {}],
    ['a promise of an object', Promise.resolve({ valid: true })],
  ])('fails closed when a host verifier returns %s instead of true', async (_label, result) => {
    const provider = createCryptoProvider({ p256Verify: async () => result as never, ed25519Verify: async () => result as never });
    expect(await provider.p256Verify(new Uint8Array(65), salt, new Uint8Array(64))).toBe(false);
    expect(await provider.ed25519Verify(new Uint8Array(32), salt, new Uint8Array(64))).toBe(false);
  });

  it('a host verifier that throws returns false; exactly true is true', async () => {
    const throwing = createCryptoProvider({
      p256Verify: async () => {
        throw new Error('bridge down');
      },
    });
    expect(await throwing.p256Verify(new Uint8Array(65), salt, new Uint8Array(64))).toBe(false);
    const yes = createCryptoProvider({ p256Verify: async () => true });
    expect(await yes.p256Verify(new Uint8Array(65), salt, new Uint8Array(64))).toBe(true);
  });

  it('verification with non-byte arguments is misuse: it throws ERR_INVALID_ARGUMENT everywhere', async () => {
    const host = vi.fn(async () => true);
    for (const provider of [pureJsCryptoProvider, webCryptoProvider(), createCryptoProvider({ p256Verify: host })]) {
      expect((await caught(() => provider.p256Verify('04ab' as never, salt, new Uint8Array(64)))).code).toBe('ERR_INVALID_ARGUMENT');
      expect((await caught(() => provider.p256Verify(new Uint8Array(65), 'msg' as never, new Uint8Array(64)))).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(host).not.toHaveBeenCalled();
  });
});

describe('webCryptoProvider', () => {
  const message = utf8Encode('hello');
  const sk = hex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721'); // RFC 6979 A.2.5 key
  const pk = p256.getPublicKey(sk, false);
  const sig = p256.sign(message, sk, { prehash: true, lowS: true });

  it('throws ERR_CRYPTO_UNSUPPORTED without crypto.subtle', () => {
    vi.stubGlobal('crypto', {});
    expect(caughtSync(() => webCryptoProvider()).code).toBe('ERR_CRYPTO_UNSUPPORTED');
  });

  it('is named after its base and validates keyCacheSize', () => {
    expect(webCryptoProvider().name).toBe('pure-js+webcrypto');
    expect(webCryptoProvider({ base: nodeProvider }).name).toBe('node+webcrypto');
    expect(caughtSync(() => webCryptoProvider({ keyCacheSize: -1 })).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('imports a key once and reuses it', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const web = webCryptoProvider();
    expect(await web.p256Verify(pk, message, sig)).toBe(true);
    expect(await web.p256Verify(pk, message, sig)).toBe(true);
    expect(importKey).toHaveBeenCalledTimes(1);
  });

  it('evicts the least recently used key, and caches nothing with keyCacheSize 0', async () => {
    const keys = [1, 2, 3].map((i) => p256.getPublicKey(p256.utils.randomSecretKey(new Uint8Array(48).fill(i)), false));
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const web = webCryptoProvider({ keyCacheSize: 2 });
    for (const k of [keys[0], keys[1], keys[0], keys[2]]) await web.p256Verify(k as Uint8Array, message, sig);
    expect(importKey).toHaveBeenCalledTimes(3);
    await web.p256Verify(keys[0] as Uint8Array, message, sig); // still cached (recently used)
    expect(importKey).toHaveBeenCalledTimes(3);
    await web.p256Verify(keys[1] as Uint8Array, message, sig); // evicted
    expect(importKey).toHaveBeenCalledTimes(4);

    importKey.mockClear();
    const uncached = webCryptoProvider({ keyCacheSize: 0 });
    await uncached.p256Verify(pk, message, sig);
    await uncached.p256Verify(pk, message, sig);
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it('does not keep a failed import cached', async () => {
    const web = webCryptoProvider();
    vi.spyOn(crypto.subtle, 'importKey').mockRejectedValueOnce(new Error('transient'));
    expect(await web.p256Verify(pk, message, sig)).toBe(false);
    expect(await web.p256Verify(pk, message, sig)).toBe(true);
  });

  it('takes compressed keys and refuses the hybrid form, as the pure provider does (WebCrypto alone would take it)', async () => {
    const web = webCryptoProvider();
    const compressed = p256.getPublicKey(sk, true);
    const hybrid = Uint8Array.from(pk);
    hybrid[0] = 0x06 | ((pk[64] as number) & 1);
    await expect(crypto.subtle.importKey('raw', hybrid, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])).resolves.toBeDefined();
    for (const provider of [pureJsCryptoProvider, web, nodeProvider]) {
      expect(await provider.p256Verify(compressed, message, sig)).toBe(true);
      expect(await provider.p256Verify(hybrid, message, sig)).toBe(false);
    }
  });
});

describe('providers agree on seeded random cases: pure-js, WebCrypto, node:crypto', () => {
  type Case = { pk: Uint8Array; msg: Uint8Array; sig: Uint8Array; expected: boolean };
  const N = p256.Point.CURVE().n;
  const be32 = (x: bigint) => hex(x.toString(16).padStart(64, '0'));

  const mutations: Record<string, (c: Case, flip: number) => Case> = {
    none: (c) => c,
    compressedKey: (c) => ({ ...c, pk: p256.Point.fromBytes(c.pk).toBytes(true) }),
    highS: (c) => ({ ...c, sig: Uint8Array.from([...c.sig.subarray(0, 32), ...be32(N - BigInt(`0x${toHex(c.sig.subarray(32))}`))]), expected: false }),
    flipSignatureBit: (c, f) => {
      const sig = Uint8Array.from(c.sig);
      sig[f % 64] = (sig[f % 64] as number) ^ (1 << (f % 8));
      return { ...c, sig, expected: false };
    },
    flipMessageBit: (c, f) => {
      const msg = Uint8Array.from([...c.msg, 0]);
      msg[f % msg.length] = (msg[f % msg.length] as number) ^ (1 << (f % 8));
      return { ...c, msg, expected: false };
    },
    flipKeyBit: (c, f) => {
      const pk = Uint8Array.from(c.pk);
      pk[1 + (f % 64)] = (pk[1 + (f % 64)] as number) ^ (1 << (f % 8));
      return { ...c, pk, expected: false };
    },
    hybridKey: (c) => {
      const pk = Uint8Array.from(c.pk);
      pk[0] = 0x06 | ((pk[64] as number) & 1);
      return { ...c, pk, expected: false };
    },
    truncatedSignature: (c) => ({ ...c, sig: c.sig.subarray(0, 63), expected: false }),
    zeroR: (c) => ({ ...c, sig: Uint8Array.from([...new Uint8Array(32), ...c.sig.subarray(32)]), expected: false }),
    sEqualsN: (c) => ({ ...c, sig: Uint8Array.from([...c.sig.subarray(0, 32), ...be32(N)]), expected: false }),
    infinityKey: (c) => ({ ...c, pk: new Uint8Array([0]), expected: false }),
  };

  it('P-256 verify gives one answer per case', async () => {
    const web = webCryptoProvider();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 48, maxLength: 48 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.constantFrom(...Object.keys(mutations)),
        fc.nat(),
        async (seed, msg, mutation, flip) => {
          const sk = p256.utils.randomSecretKey(seed);
          const base: Case = { pk: p256.getPublicKey(sk, false), msg, sig: p256.sign(msg, sk, { prehash: true, lowS: true }), expected: true };
          const c = (mutations[mutation] as (c: Case, f: number) => Case)(base, flip);
          const answers = await Promise.all([pureJsCryptoProvider, web, nodeProvider].map((p) => p.p256Verify(c.pk, c.msg, c.sig)));
          expect({ mutation, answers }).toEqual({ mutation, answers: [c.expected, c.expected, c.expected] });
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it.each(rfc8032.cases)('Ed25519 $name verifies in every provider, and a flipped bit fails in every provider', async (v) => {
    for (const provider of [pureJsCryptoProvider, webCryptoProvider(), nodeProvider]) {
      expect(await provider.ed25519Verify(hex(v.publicKey), hex(v.message), hex(v.signature))).toBe(true);
      const bad = hex(v.signature);
      bad[10] = (bad[10] as number) ^ 1;
      expect(await provider.ed25519Verify(hex(v.publicKey), hex(v.message), bad)).toBe(false);
      expect(await provider.ed25519Verify(hex(v.publicKey).subarray(1), hex(v.message), hex(v.signature))).toBe(false);
    }
  });
});
