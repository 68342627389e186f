import { sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { derToRawSignature, isLowS, normalizeP256Signature, pureJsCryptoProvider, rawToDerSignature, utf8Encode } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bs, caughtSync, hex, toHex } from './helpers.js';
import { p256TestKey, type TestKey } from './keys.js';
import rules from './vectors/der-rules.json';

const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const;
const N = BigInt(`0x${rules.n}`);
const big = (b: Uint8Array): bigint => BigInt(`0x${toHex(b) || '0'}`);
const be32 = (x: bigint): Uint8Array => hex(x.toString(16).padStart(64, '0'));
/** The other S of a valid signature: (r, n - s). */
const flipS = (raw: Uint8Array): Uint8Array => Uint8Array.from([...raw.subarray(0, 32), ...be32(N - big(raw.subarray(32)))]);

let key: TestKey;
beforeAll(async () => {
  key = await p256TestKey('core-ecdsa-test-key');
});

describe('rule tables (der-rules.json)', () => {
  it('uses the real P-256 order and base point', () => {
    expect(N).toBe(p256.Point.CURVE().n);
    expect(BigInt(`0x${rules.halfN}`)).toBe(N >> 1n);
    const g = p256.Point.BASE.toAffine();
    expect(rules.valid[1]?.raw).toBe(toHex(be32(g.x)) + toHex(be32(g.y)));
  });

  it.each(rules.valid)('converts valid DER both ways ($rule)', ({ der, raw }) => {
    expect(toHex(derToRawSignature(hex(der)))).toBe(raw);
    expect(toHex(rawToDerSignature(hex(raw)))).toBe(der);
    expect(toHex(normalizeP256Signature(hex(der), 'der'))).toBe(toHex(normalizeP256Signature(hex(raw), 'raw')));
  });

  it.each(rules.invalidDer)('refuses $rule with ERR_SIGNATURE_FORMAT', ({ der }) => {
    expect(caughtSync(() => derToRawSignature(hex(der))).code).toBe('ERR_SIGNATURE_FORMAT');
    expect(caughtSync(() => normalizeP256Signature(hex(der), 'der')).code).toBe('ERR_SIGNATURE_FORMAT');
  });

  it.each(rules.outOfRange)('normalize refuses $rule with ERR_SIGNATURE_FORMAT', ({ raw }) => {
    expect(caughtSync(() => normalizeP256Signature(hex(raw))).code).toBe('ERR_SIGNATURE_FORMAT');
    // The DER converter only converts: range is the normaliser's job.
    const der = rawToDerSignature(hex(raw));
    expect(caughtSync(() => normalizeP256Signature(der, 'der')).code).toBe('ERR_SIGNATURE_FORMAT');
  });

  it.each(rules.lowS)('normalize: $rule', ({ raw, normalized }) => {
    const input = hex(raw);
    const copy = Uint8Array.from(input);
    expect(toHex(normalizeP256Signature(input))).toBe(normalized);
    expect(input).toEqual(copy); // not modified in place
    expect(isLowS(hex(normalized))).toBe(true);
    expect(isLowS(input)).toBe(raw === normalized);
  });

  it('refuses non-bytes, wrong raw lengths and unknown formats', () => {
    expect(caughtSync(() => rawToDerSignature(new Uint8Array(63))).code).toBe('ERR_SIGNATURE_FORMAT');
    expect(caughtSync(() => derToRawSignature('3006' as never)).code).toBe('ERR_SIGNATURE_FORMAT');
    expect(caughtSync(() => normalizeP256Signature(null as never)).code).toBe('ERR_SIGNATURE_FORMAT');
    expect(caughtSync(() => normalizeP256Signature(new Uint8Array(70), 'raw')).code).toBe('ERR_SIGNATURE_FORMAT');
    expect(caughtSync(() => normalizeP256Signature(new Uint8Array(64), 'pem' as never)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(isLowS(new Uint8Array(63))).toBe(false);
    expect(isLowS('x'.repeat(64) as never)).toBe(false);
  });
});

describe('DER <-> raw against WebCrypto and OpenSSL', () => {
  // WebCrypto and OpenSSL draw their own ECDSA nonces (not injectable); every assertion
  // below holds for any nonce. The high-S branch is pinned separately further down.
  it('a WebCrypto signature (raw r||s) converted to DER verifies in OpenSSL, and normalised verifies in both providers', async () => {
    const web = webCryptoProvider();
    for (let i = 0; i < 12; i++) {
      const message = utf8Encode(`webcrypto message ${i}`);
      const raw = new Uint8Array(await crypto.subtle.sign(ECDSA, key.webPrivate, bs(message)));
      const der = rawToDerSignature(raw);
      expect(nodeVerify('sha256', message, { key: key.nodePublic, dsaEncoding: 'der' }, der)).toBe(true);
      expect(toHex(der)).toBe(toHex(p256.Signature.fromBytes(raw, 'compact').toBytes('der')));
      const wire = normalizeP256Signature(raw);
      expect(isLowS(wire)).toBe(true);
      expect(await pureJsCryptoProvider.p256Verify(key.signer.publicKey, message, wire)).toBe(true);
      expect(await web.p256Verify(key.signer.publicKey, message, wire)).toBe(true);
    }
  });

  it('an OpenSSL DER signature converted to raw verifies in WebCrypto, and normalised verifies in both providers', async () => {
    const web = webCryptoProvider();
    for (let i = 0; i < 12; i++) {
      const message = utf8Encode(`openssl message ${i}`);
      const der = new Uint8Array(nodeSign('sha256', message, { key: key.nodePrivate, dsaEncoding: 'der' }));
      const raw = derToRawSignature(der);
      expect(await crypto.subtle.verify(ECDSA, key.webPublic, bs(raw), bs(message))).toBe(true);
      expect(toHex(rawToDerSignature(raw))).toBe(toHex(der));
      const wire = normalizeP256Signature(der);
      expect(await pureJsCryptoProvider.p256Verify(key.signer.publicKey, message, wire)).toBe(true);
      expect(await web.p256Verify(key.signer.publicKey, message, wire)).toBe(true);
    }
  });

  it('round-trips every in-range (r, s) and matches noble DER (fast-check, seeded)', () => {
    const scalar = fc.bigInt({ min: 1n, max: N - 1n });
    const small = fc.bigInt({ min: 1n, max: 2n ** 64n }); // short integers exercise minimal encoding
    fc.assert(
      fc.property(fc.oneof(scalar, small), fc.oneof(scalar, small), (r, s) => {
        const raw = Uint8Array.from([...be32(r), ...be32(s)]);
        const der = rawToDerSignature(raw);
        expect(toHex(der)).toBe(toHex(p256.Signature.fromBytes(raw, 'compact').toBytes('der')));
        expect(toHex(derToRawSignature(der))).toBe(toHex(raw));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe('high S', () => {
  const message = utf8Encode('approve sign-in 7f3a');

  it('the high-S twin of a valid signature normalises to the low-S one, which verifies', async () => {
    const low = await key.signer.sign(message); // RFC 6979: deterministic
    expect(isLowS(low)).toBe(true);
    const high = flipS(low);
    expect(isLowS(high)).toBe(false);
    // Both are mathematically valid: plain WebCrypto and OpenSSL accept the high one.
    expect(await crypto.subtle.verify(ECDSA, key.webPublic, bs(high), bs(message))).toBe(true);
    expect(nodeVerify('sha256', message, { key: key.nodePublic, dsaEncoding: 'ieee-p1363' }, high)).toBe(true);
    expect(toHex(normalizeP256Signature(high))).toBe(toHex(low));
    expect(toHex(normalizeP256Signature(rawToDerSignature(high)))).toBe(toHex(low));
  });

  it('the pure provider rejects high S', async () => {
    const low = await key.signer.sign(message);
    expect(await pureJsCryptoProvider.p256Verify(key.signer.publicKey, message, low)).toBe(true);
    expect(await pureJsCryptoProvider.p256Verify(key.signer.publicKey, message, flipS(low))).toBe(false);
  });

  it('the WebCrypto provider rejects high S too, although WebCrypto itself accepts it', async () => {
    const web = webCryptoProvider();
    const low = await key.signer.sign(message);
    expect(await web.p256Verify(key.signer.publicKey, message, low)).toBe(true);
    expect(await web.p256Verify(key.signer.publicKey, message, flipS(low))).toBe(false);
  });
});
