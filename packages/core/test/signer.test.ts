import { sign as nodeSign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { createSoftwareSigner, isCloudMfaError, isLowS, pureJsCryptoProvider, rawToDerSignature, signerFromHost, utf8Encode } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { beforeAll, describe, expect, it } from 'vitest';
import { bs, caught, caughtSync, hex, seededRandom, toHex } from './helpers.js';
import { p256TestKey, type TestKey } from './keys.js';
import rfc8032 from './vectors/rfc8032.json';

const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const;
const N = p256.Point.CURVE().n;
const be32 = (x: bigint) => hex(x.toString(16).padStart(64, '0'));
const highS = (raw: Uint8Array) => Uint8Array.from([...raw.subarray(0, 32), ...be32(N - BigInt(`0x${toHex(raw.subarray(32))}`))]);

let key: TestKey;
beforeAll(async () => {
  key = await p256TestKey('core-signer-test-key');
});

describe('createSoftwareSigner: ES256', () => {
  it('is deterministic under a pinned random source and signs raw low-S r||s', async () => {
    const a = createSoftwareSigner({ random: seededRandom('device-1') });
    const b = createSoftwareSigner({ random: seededRandom('device-1') });
    expect(a.algorithm).toBe('ES256');
    expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
    expect(a.publicKey).toHaveLength(65);
    expect(a.publicKey[0]).toBe(0x04);
    const message = utf8Encode('response');
    const sig = await a.sign(message);
    expect(sig).toHaveLength(64);
    expect(isLowS(sig)).toBe(true);
    expect(toHex(await b.sign(message))).toBe(toHex(sig)); // RFC 6979
    expect(await pureJsCryptoProvider.p256Verify(a.publicKey, message, sig)).toBe(true);
    expect(await webCryptoProvider().p256Verify(a.publicKey, message, sig)).toBe(true);
  });

  it('signs what WebCrypto verifies', async () => {
    const message = utf8Encode('verified by crypto.subtle');
    expect(await crypto.subtle.verify(ECDSA, key.webPublic, bs(await key.signer.sign(message)), bs(message))).toBe(true);
  });

  it('restores from an exported private key, and export returns a copy', async () => {
    const original = createSoftwareSigner({ random: seededRandom('device-2') });
    const exported = original.exportPrivateKey();
    exported.fill(0);
    const restored = createSoftwareSigner({ privateKey: original.exportPrivateKey() });
    expect(toHex(restored.publicKey)).toBe(toHex(original.publicKey));
  });

  it('does not share the caller’s private key buffer', async () => {
    const privateKey = createSoftwareSigner({ random: seededRandom('device-3') }).exportPrivateKey();
    const signer = createSoftwareSigner({ privateKey });
    const before = await signer.sign(utf8Encode('m'));
    privateKey.fill(1);
    expect(toHex(await signer.sign(utf8Encode('m')))).toBe(toHex(before));
  });

  it.each([
    ['zero', new Uint8Array(32)],
    ['n', be32(N)],
    ['31 bytes', new Uint8Array(31).fill(1)],
    ['a string', 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721'],
  ])('refuses a private key that is %s with ERR_INVALID_ARGUMENT, without quoting it', (_label, privateKey) => {
    const err = caughtSync(() => createSoftwareSigner({ privateKey: privateKey as Uint8Array }));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    if (typeof privateKey === 'string') expect(err.message).not.toContain(privateKey.slice(0, 8));
  });

  it('checks its random source and its arguments', async () => {
    expect(caughtSync(() => createSoftwareSigner({ random: (n) => new Uint8Array(n - 1) })).code).toBe('ERR_NO_RANDOM_SOURCE');
    expect(caughtSync(() => createSoftwareSigner({ algorithm: 'RS256' as never })).code).toBe('ERR_INVALID_ARGUMENT');
    const signer = createSoftwareSigner({ random: seededRandom('device-4') });
    expect((await caught(() => signer.sign('text' as never))).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('does not expose the private key through enumeration or JSON', () => {
    const signer = createSoftwareSigner({ random: seededRandom('device-5') });
    const secret = toHex(signer.exportPrivateKey());
    expect(Object.isFrozen(signer)).toBe(true);
    expect(JSON.stringify(signer)).not.toContain(secret);
    expect(Object.keys(signer).sort()).toEqual(['algorithm', 'exportPrivateKey', 'publicKey', 'sign']);
  });
});

describe('createSoftwareSigner: EdDSA', () => {
  it.each(rfc8032.cases)('reproduces RFC 8032 $name', async (v) => {
    const signer = createSoftwareSigner({ algorithm: 'EdDSA', privateKey: hex(v.secretKey) });
    expect(toHex(signer.publicKey)).toBe(v.publicKey);
    expect(toHex(await signer.sign(hex(v.message)))).toBe(v.signature);
  });

  it('draws a new key from the pinned random source', async () => {
    const a = createSoftwareSigner({ algorithm: 'EdDSA', random: seededRandom('server-key') });
    const b = createSoftwareSigner({ algorithm: 'EdDSA', random: seededRandom('server-key') });
    expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
    const m = utf8Encode('challenge');
    expect(await pureJsCryptoProvider.ed25519Verify(a.publicKey, m, await a.sign(m))).toBe(true);
  });
});

describe('signerFromHost: ES256 with a hardware-style host', () => {
  it('converts a DER-returning host (OpenSSL, random nonces) to raw low S that every verifier accepts', async () => {
    const signer = signerFromHost({
      algorithm: 'ES256',
      publicKey: key.signer.publicKey,
      sign: async (m) => new Uint8Array(nodeSign('sha256', m, { key: key.nodePrivate, dsaEncoding: 'der' })),
      signatureFormat: 'der',
    });
    const web = webCryptoProvider();
    for (let i = 0; i < 16; i++) {
      const m = utf8Encode(`hardware ${i}`);
      const sig = await signer.sign(m);
      expect(sig).toHaveLength(64);
      expect(isLowS(sig)).toBe(true);
      expect(await pureJsCryptoProvider.p256Verify(signer.publicKey, m, sig)).toBe(true);
      expect(await web.p256Verify(signer.publicKey, m, sig)).toBe(true);
      expect(await crypto.subtle.verify(ECDSA, key.webPublic, bs(sig), bs(m))).toBe(true);
    }
  });

  it('normalises a pinned high-S DER signature to the exact low-S one', async () => {
    const m = utf8Encode('pinned');
    const low = await key.signer.sign(m);
    const signer = signerFromHost({ algorithm: 'ES256', publicKey: key.signer.publicKey, sign: async () => rawToDerSignature(highS(low)) });
    expect(toHex(await signer.sign(m))).toBe(toHex(low));
  });

  it('accepts the ArrayBuffer crypto.subtle.sign returns (a WebCrypto non-extractable key)', async () => {
    const signer = signerFromHost({
      algorithm: 'ES256',
      publicKey: key.signer.publicKey,
      sign: (m) => crypto.subtle.sign(ECDSA, key.webPrivate, bs(m)) as unknown as Promise<Uint8Array>,
      signatureFormat: 'raw',
    });
    const m = utf8Encode('webcrypto host');
    expect(await pureJsCryptoProvider.p256Verify(signer.publicKey, m, await signer.sign(m))).toBe(true);
  });

  it('calls the host as a method (this is preserved)', async () => {
    const host = {
      algorithm: 'ES256' as const,
      publicKey: key.signer.publicKey,
      inner: key.signer,
      async sign(this: { inner: typeof key.signer }, m: Uint8Array) {
        return this.inner.sign(m);
      },
    };
    const m = utf8Encode('method');
    expect(await pureJsCryptoProvider.p256Verify(host.publicKey, m, await signerFromHost(host).sign(m))).toBe(true);
  });

  it('a failing host becomes ERR_SIGNER_FAILED with the host error as cause', async () => {
    const cancelled = Object.assign(new Error('User canceled'), { code: 'LAErrorUserCancel' });
    const signer = signerFromHost({ algorithm: 'ES256', publicKey: key.signer.publicKey, sign: async () => Promise.reject(cancelled) });
    const err = await caught(() => signer.sign(utf8Encode('m')));
    expect(isCloudMfaError(err, 'ERR_SIGNER_FAILED')).toBe(true);
    expect(err.cause).toBe(cancelled);
  });

  it.each([
    ['a string', 'MEUCIQ'],
    ['nothing', undefined],
    ['ten bytes', new Uint8Array(10)],
    ['raw zeros', new Uint8Array(64)],
    ['DER with a zero r', hex('3006020100020101')],
  ])('host output that is %s throws ERR_SIGNATURE_FORMAT', async (_label, output) => {
    const signer = signerFromHost({ algorithm: 'ES256', publicKey: key.signer.publicKey, sign: async () => output as never });
    expect((await caught(() => signer.sign(utf8Encode('m')))).code).toBe('ERR_SIGNATURE_FORMAT');
  });

  it('reads the declared format: a raw signature from a host declared DER is refused', async () => {
    const raw = await key.signer.sign(utf8Encode('m'));
    const signer = signerFromHost({ algorithm: 'ES256', publicKey: key.signer.publicKey, sign: async () => raw, signatureFormat: 'der' });
    expect((await caught(() => signer.sign(utf8Encode('m')))).code).toBe('ERR_SIGNATURE_FORMAT');
  });

  it.each([
    ['compressed (33 bytes)', () => p256.Point.fromBytes(key.signer.publicKey).toBytes(true)],
    ['off the curve', () => Uint8Array.from([...key.signer.publicKey.subarray(0, 64), (key.signer.publicKey[64] as number) ^ 1])],
    ['hybrid prefix', () => Uint8Array.from([0x06 | ((key.signer.publicKey[64] as number) & 1), ...key.signer.publicKey.subarray(1)])],
    ['not bytes', () => 'BAAA'],
  ])('refuses a public key that is %s with ERR_INVALID_ARGUMENT', (_label, make) => {
    const err = caughtSync(() => signerFromHost({ algorithm: 'ES256', publicKey: make() as Uint8Array, sign: async () => new Uint8Array(64) }));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('refuses a bad algorithm, sign or signatureFormat', () => {
    const publicKey = key.signer.publicKey;
    expect(caughtSync(() => signerFromHost({ algorithm: 'ES384' as never, publicKey, sign: async () => publicKey })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => signerFromHost({ algorithm: 'ES256', publicKey, sign: 'enclave' as never })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(
      caughtSync(() => signerFromHost({ algorithm: 'ES256', publicKey, sign: async () => publicKey, signatureFormat: 'pem' as never })).code,
    ).toBe('ERR_INVALID_ARGUMENT');
  });

  it('copies the public key', () => {
    const publicKey = Uint8Array.from(key.signer.publicKey);
    const signer = signerFromHost({ algorithm: 'ES256', publicKey, sign: async () => publicKey });
    publicKey.fill(0);
    expect(toHex(signer.publicKey)).toBe(toHex(key.signer.publicKey));
  });
});

describe('signerFromHost: EdDSA', () => {
  const v = rfc8032.cases[1] as (typeof rfc8032.cases)[number];

  it('passes a 64-byte host signature through', async () => {
    const signer = signerFromHost({ algorithm: 'EdDSA', publicKey: hex(v.publicKey), sign: async (m) => ed25519.sign(m, hex(v.secretKey)) });
    expect(toHex(await signer.sign(hex(v.message)))).toBe(v.signature);
  });

  it('refuses a 63-byte host signature with ERR_SIGNATURE_FORMAT', async () => {
    const signer = signerFromHost({ algorithm: 'EdDSA', publicKey: hex(v.publicKey), sign: async () => new Uint8Array(63) });
    expect((await caught(() => signer.sign(utf8Encode('m')))).code).toBe('ERR_SIGNATURE_FORMAT');
  });

  it('refuses a non-canonical Ed25519 public key (y = p) with ERR_INVALID_ARGUMENT', () => {
    const yEqualsP = hex(`ed${'ff'.repeat(30)}7f`);
    expect(caughtSync(() => signerFromHost({ algorithm: 'EdDSA', publicKey: yEqualsP, sign: async () => new Uint8Array(64) })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });
});
