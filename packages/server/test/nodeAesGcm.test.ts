import { afterEach, describe, expect, it, vi } from 'vitest';
import { nativeAesGcmOpen } from '../src/internal/nodeAesGcm.js';
import { activateOnline, codeAt, makeDevice, makeServer } from './helpers.js';

const subtle = globalThis.crypto.subtle;
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const key = (usages: KeyUsage[] = ['encrypt', 'decrypt']) => subtle.importKey('raw', bytes(32, 5), 'AES-GCM', false, usages);
const seal = async (k: CryptoKey, iv: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>, pt: Uint8Array<ArrayBuffer>) =>
  new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, k, pt));

const withBuiltins = <T>(getBuiltinModule: unknown, run: () => T): T => {
  const p = process as { getBuiltinModule?: unknown };
  const saved = p.getBuiltinModule;
  p.getBuiltinModule = getBuiltinModule;
  try {
    return run();
  } finally {
    p.getBuiltinModule = saved;
  }
};
const withoutBuiltins = <T>(run: () => T): T => withBuiltins(undefined, run);

describe('native AES-GCM open (Node)', () => {
  const open = nativeAesGcmOpen();

  it('is there on Node and opens what WebCrypto sealed, for every plaintext length up to 3 blocks', async () => {
    expect(open).not.toBeNull();
    const k = await key();
    for (let n = 0; n <= 48; n++) {
      const iv = bytes(12, n);
      const aad = bytes(n % 7, 9);
      const pt = bytes(n, 77);
      expect(open?.(k, iv, aad, await seal(k, iv, aad, pt))).toEqual(pt);
    }
  });

  it('throws for a changed byte of the ciphertext, the tag, the nonce or the associated data', async () => {
    const k = await key();
    const iv = bytes(12, 1);
    const aad = bytes(40, 2);
    const sealed = await seal(k, iv, aad, bytes(21, 3));
    const flip = (b: Uint8Array, i: number) => {
      const c = b.slice();
      c[i] = (c[i] as number) ^ 1;
      return c;
    };
    expect(() => open?.(k, iv, aad, flip(sealed, 0))).toThrow();
    expect(() => open?.(k, iv, aad, flip(sealed, sealed.length - 1))).toThrow();
    expect(() => open?.(k, flip(iv, 11), aad, sealed)).toThrow();
    expect(() => open?.(k, iv, flip(aad, 39), sealed)).toThrow();
    expect(() => open?.(k, iv, aad, sealed.subarray(0, sealed.length - 1))).toThrow();
  });

  it('declines what it cannot use (WebCrypto decides): a key that is not Node\'s, a 128-bit key, a blob shorter than a tag', async () => {
    const iv = bytes(12, 1);
    expect(open?.({ type: 'secret' } as CryptoKey, iv, new Uint8Array(0), new Uint8Array(32))).toBeNull();
    const short = await subtle.importKey('raw', bytes(16, 1), 'AES-GCM', false, ['decrypt']);
    expect(open?.(short, iv, new Uint8Array(0), new Uint8Array(32))).toBeNull();
    expect(open?.(await key(), iv, new Uint8Array(0), new Uint8Array(15))).toBeNull();
  });

  it('is absent where the runtime has no process.getBuiltinModule', () => {
    expect(withoutBuiltins(() => nativeAesGcmOpen())).toBeNull();
  });
});

describe('which path a verify takes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('on Node a verify whose data key is cached makes no WebCrypto call', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed, -1) })).toMatchObject({ ok: true });
    const decrypt = vi.spyOn(subtle, 'decrypt');
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('a native path that refuses a genuine blob (a runtime whose node:crypto differs) fails no verify: WebCrypto decides', async () => {
    const broken = {
      KeyObject: { from: () => ({ symmetricKeySize: 32 }) },
      createDecipheriv: () => {
        throw new Error('not here');
      },
    };
    const t = withBuiltins(() => broken, () => makeServer());
    const { identity } = await activateOnline(t, makeDevice('a'));
    const decrypt = vi.spyOn(subtle, 'decrypt');
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    expect(decrypt).toHaveBeenCalled();
  });

  it('without the native path: WebCrypto opens the seed; a replay and a tampered seed answer as on the native path', async () => {
    const t = withoutBuiltins(() => makeServer());
    const { identity } = await activateOnline(t, makeDevice('a'));
    const code = codeAt(t, identity.seed);
    const decrypt = vi.spyOn(subtle, 'decrypt');
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code })).toMatchObject({ ok: true });
    expect(decrypt).toHaveBeenCalled();
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code })).toMatchObject({ ok: false, reason: 'replayed' });
    const rec = await t.store.enrolments.get(identity.enrolmentId);
    const secret = (rec?.secret as Uint8Array).slice();
    secret[secret.length - 1] = (secret[secret.length - 1] as number) ^ 1;
    await t.store.enrolments.update(identity.enrolmentId, { secret, expectedVersion: rec?.version as number });
    const err = await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed, 1) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_SERVER_DECRYPT', message: 'a stored secret could not be opened' });
  });
});
