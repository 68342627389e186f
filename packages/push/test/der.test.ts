// The signer seam with hardware-style keys: DER <-> raw conversion checked against signatures made
// by WebCrypto (raw r || s) and node:crypto (DER), as Secure Enclave / Android Keystore return them.
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { derToRawSignature, encodeBase64Url, isLowS, normalizeP256Signature, pureJsCryptoProvider, rawToDerSignature, signerFromHost, utf8Encode } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { createPushResponse, PUSH_TYP, publicKeyToJwk, verifyPushChallenge } from '@cloudmfa/push';
import { createPushChallenge, verifyPushResponse } from '@cloudmfa/push/server';
import { importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT, ENROLMENT_ID, labelKey, LABELS, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();
const now = () => NOW;
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const deviceJwk = { ...publicKeyToJwk(keys.device), d: encodeBase64Url(labelKey(LABELS.device)) };
const { kid: _kid, alg: _alg, use: _use, ...deviceJwkBare } = deviceJwk;
const nodePrivate = createPrivateKey({ key: deviceJwkBare as never, format: 'jwk' });
const nodePublic = createPublicKey(nodePrivate);

function twin(raw: Uint8Array): Uint8Array {
  const s = BigInt(`0x${Buffer.from(raw.subarray(32)).toString('hex')}`);
  return new Uint8Array([...raw.subarray(0, 32), ...Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex')]);
}

let subtleKey: CryptoKey;
let subtlePublic: CryptoKey;
beforeAll(async () => {
  subtleKey = await crypto.subtle.importKey('jwk', { ...deviceJwkBare, ext: false } as JsonWebKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  subtlePublic = await crypto.subtle.importKey('raw', new Uint8Array(keys.device.publicKey), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
});
const subtleSign = async (m: Uint8Array) => new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, subtleKey, new Uint8Array(m)));
const subtleVerify = (m: Uint8Array, raw: Uint8Array) => crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, subtlePublic, new Uint8Array(raw), new Uint8Array(m));

describe('DER and raw signatures against WebCrypto and node:crypto', () => {
  it('WebCrypto raw -> DER verifies with node:crypto; node DER -> raw verifies with WebCrypto; both S forms', async () => {
    for (let i = 0; i < 16; i++) {
      const message = utf8Encode(`message ${i}`);
      const webRaw = await subtleSign(message);
      for (const raw of [webRaw, twin(webRaw)]) {
        expect(await subtleVerify(message, raw)).toBe(true);
        const der = rawToDerSignature(raw);
        expect(nodeVerify('sha256', message, { key: nodePublic, dsaEncoding: 'der' }, der)).toBe(true);
        expect(derToRawSignature(der)).toEqual(raw);
        const low = normalizeP256Signature(der);
        expect(isLowS(low)).toBe(true);
        expect(await pureJsCryptoProvider.p256Verify(keys.device.publicKey, message, low)).toBe(true);
        expect(await subtleVerify(message, low)).toBe(true);
      }
      const nodeDer = new Uint8Array(nodeSign('sha256', message, { key: nodePrivate, dsaEncoding: 'der' }));
      const raw = derToRawSignature(nodeDer);
      expect(await subtleVerify(message, raw)).toBe(true);
      expect(rawToDerSignature(raw)).toEqual(nodeDer);
    }
  });
});

describe('hardware-style device keys sign push responses', () => {
  async function verifiedChallenge() {
    const created = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, numberMatch: true, now, random: seededRandom() });
    const v = await verifyPushChallenge({ challenge: created.token, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now });
    if (!v.ok) throw new Error('unreachable');
    return { created, challenge: v.challenge };
  }

  const hosts = {
    // Android Keystore / Secure Enclave: DER, either S.
    'node:crypto DER through signerFromHost': () =>
      signerFromHost({ algorithm: 'ES256', publicKey: keys.device.publicKey, sign: async (m) => new Uint8Array(nodeSign('sha256', m, { key: nodePrivate, dsaEncoding: 'der' })) }),
    // A non-extractable WebCrypto key (browser host): raw, either S.
    'WebCrypto raw through signerFromHost': () => signerFromHost({ algorithm: 'ES256', publicKey: keys.device.publicKey, sign: subtleSign }),
    // A host object passed without the wrapper: createPushResponse still normalises DER.
    'bare host object returning DER': () => ({
      algorithm: 'ES256' as const,
      publicKey: keys.device.publicKey,
      sign: async (m: Uint8Array) => {
        const raw = derToRawSignature(new Uint8Array(nodeSign('sha256', m, { key: nodePrivate, dsaEncoding: 'der' })));
        return rawToDerSignature(isLowS(raw) ? twin(raw) : raw); // always high S, always DER
      },
    }),
  };

  for (const [name, makeSigner] of Object.entries(hosts)) {
    it(name, async () => {
      const { created, challenge } = await verifiedChallenge();
      const signer = makeSigner();
      for (let i = 0; i < 4; i++) {
        const token = await createPushResponse({ challenge, decision: 'confirm', number: created.number as string, userVerified: true, signer, now });
        const sig = Buffer.from(token.split('.')[2] as string, 'base64url');
        expect(sig).toHaveLength(64);
        expect(isLowS(new Uint8Array(sig))).toBe(true);
        for (const crypto of [pureJsCryptoProvider, webCryptoProvider()]) {
          expect(await verifyPushResponse({ response: token, expectedChallenge: created.record, devicePublicKey: keys.device.publicKey, now, crypto })).toMatchObject({
            ok: true,
            outcome: 'approved',
          });
        }
        await jwtVerify(token, await importJWK(publicKeyToJwk(keys.device)), { typ: PUSH_TYP.response, algorithms: ['ES256'], currentDate: new Date(NOW) });
      }
    });
  }

  it('a signer returning garbage is a typed error', async () => {
    const { challenge } = await verifiedChallenge();
    for (const output of [new Uint8Array(10), new Uint8Array(64), 'sig', null]) {
      const signer = { algorithm: 'ES256' as const, publicKey: keys.device.publicKey, sign: async () => output as Uint8Array };
      const err = await createPushResponse({ challenge, decision: 'cancel', userVerified: false, signer, now }).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('ERR_SIGNATURE_FORMAT');
    }
  });
});
