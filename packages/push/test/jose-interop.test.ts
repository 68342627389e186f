// jose (v6) is the interop oracle: it verifies our tokens, and we verify tokens it signs.
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { decodeBase64Url, encodeBase64Url, isLowS, pureJsCryptoProvider } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import {
  createPushPollRequest,
  createPushResponse,
  PUSH_TYP,
  publicKeyThumbprint,
  publicKeyToJwk,
  verifyPushChallenge,
} from '@cloudmfa/push';
import { createPushChallenge, verifyPushPollRequest, verifyPushResponse } from '@cloudmfa/push/server';
import { type CryptoKey, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT, ENROLMENT_ID, labelKey, LABELS, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();
const now = () => NOW;
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function privateJwk(label: string, algorithm: 'ES256' | 'EdDSA'): JWK {
  const signer = algorithm === 'ES256' ? keys[label === LABELS.device ? 'device' : 'serverEs256'] : keys.serverEd25519;
  const pub = publicKeyToJwk(signer);
  const { kid: _kid, alg: _alg, use: _use, ...jwk } = pub;
  return { ...jwk, d: encodeBase64Url(labelKey(label)) };
}

/** The same ES256 token with `s` replaced by `n - s`: equally valid, high S when it was low. */
function flipS(token: string): string {
  const [h, p, sig] = token.split('.') as [string, string, string];
  const raw = decodeBase64Url(sig);
  const s = BigInt(`0x${Buffer.from(raw.subarray(32)).toString('hex')}`);
  const flipped = Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex');
  return `${h}.${p}.${encodeBase64Url(new Uint8Array([...raw.subarray(0, 32), ...flipped]))}`;
}

describe('jose verifies our tokens', () => {
  it('challenge (ES256 and EdDSA), response and poll, with typ and algorithms pinned', async () => {
    for (const signer of [keys.serverEs256, keys.serverEd25519]) {
      const { token, record } = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer, numberMatch: true, now, random: seededRandom() });
      const key = await importJWK(publicKeyToJwk(signer));
      const { payload, protectedHeader } = await jwtVerify(token, key, { typ: PUSH_TYP.challenge, algorithms: [signer.algorithm], currentDate: new Date(NOW), subject: ENROLMENT_ID });
      expect(protectedHeader).toEqual({ alg: signer.algorithm, typ: PUSH_TYP.challenge, kid: publicKeyThumbprint(signer) });
      expect(payload).toMatchObject({ jti: record.id, iat: NOW / 1000, exp: NOW / 1000 + 120, nm: true });
      // The wrong typ is refused by jose too: the kinds cannot be confused by any standard verifier.
      await expect(jwtVerify(token, key, { typ: PUSH_TYP.response, currentDate: new Date(NOW) })).rejects.toThrow();

      const v = await verifyPushChallenge({ challenge: token, serverKey: signer, expectedEnrolmentId: ENROLMENT_ID, now });
      if (!v.ok) throw new Error('unreachable');
      const response = await createPushResponse({ challenge: v.challenge, decision: 'suspicious', userVerified: true, signer: keys.device, now });
      const deviceKey = await importJWK(publicKeyToJwk(keys.device));
      const r = await jwtVerify(response, deviceKey, { typ: PUSH_TYP.response, algorithms: ['ES256'], currentDate: new Date(NOW) });
      expect(r.payload).toEqual({ cid: record.id, chash: record.hash, dec: 'suspicious', uv: true, iat: NOW / 1000 });
    }
    const poll = await createPushPollRequest({ enrolmentId: ENROLMENT_ID, signer: keys.device, now, random: seededRandom() });
    await jwtVerify(poll, await importJWK(publicKeyToJwk(keys.device)), { typ: PUSH_TYP.poll, algorithms: ['ES256'], currentDate: new Date(NOW) });
  });
});

describe.each([
  ['pure JS', pureJsCryptoProvider],
  ['WebCrypto', webCryptoProvider()],
])('we verify jose-signed tokens (%s)', (_, crypto) => {
  let serverEs: CryptoKey;
  let serverEd: CryptoKey;
  let device: CryptoKey;
  beforeAll(async () => {
    serverEs = (await importJWK(privateJwk(LABELS.serverEs256, 'ES256'), 'ES256')) as CryptoKey;
    serverEd = (await importJWK(privateJwk(LABELS.serverEd25519, 'EdDSA'), 'EdDSA')) as CryptoKey;
    device = (await importJWK(privateJwk(LABELS.device, 'ES256'), 'ES256')) as CryptoKey;
  });

  const claims = (i: number) => ({
    jti: encodeBase64Url(seededRandom(`jose ${i}`)(16)),
    sub: ENROLMENT_ID,
    iat: NOW / 1000,
    exp: NOW / 1000 + 120,
    nm: false,
    ctx: { svc: 'Acme VPN', ip: '203.0.113.9' },
  });
  const joseChallenge = (key: CryptoKey, alg: 'ES256' | 'EdDSA', kid: string, i: number, header: Record<string, unknown> = {}) =>
    new SignJWT(claims(i)).setProtectedHeader({ alg, typ: PUSH_TYP.challenge, kid, ...header }).sign(key);

  it('ES256 challenges, in both S forms (jose does not normalise S)', async () => {
    const kid = publicKeyThumbprint(keys.serverEs256);
    const forms = { low: 0, high: 0 };
    for (let i = 0; i < 8; i++) {
      const token = await joseChallenge(serverEs, 'ES256', kid, i);
      for (const t of [token, flipS(token)]) {
        forms[isLowS(decodeBase64Url(t.split('.')[2] as string)) ? 'low' : 'high']++;
        // jose agrees each form is valid…
        await jwtVerify(t, await importJWK(publicKeyToJwk(keys.serverEs256)), { typ: PUSH_TYP.challenge, currentDate: new Date(NOW) });
        // …and so do we.
        const r = await verifyPushChallenge({ challenge: t, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now, crypto });
        expect(r).toMatchObject({ ok: true, challenge: { id: claims(i).jti, context: { service: 'Acme VPN', ip: '203.0.113.9' } } });
      }
    }
    expect(forms).toEqual({ low: 8, high: 8 });
  });

  it('EdDSA challenges', async () => {
    const token = await joseChallenge(serverEd, 'EdDSA', publicKeyThumbprint(keys.serverEd25519), 1);
    expect((await verifyPushChallenge({ challenge: token, serverKey: keys.serverEd25519, expectedEnrolmentId: ENROLMENT_ID, now, crypto })).ok).toBe(true);
  });

  it('responses and poll requests signed by jose with the device key', async () => {
    const created = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, numberMatch: true, now, random: seededRandom() });
    const kid = publicKeyThumbprint(keys.device);
    const response = await new SignJWT({ cid: created.record.id, chash: created.record.hash, dec: 'confirm', num: created.number, uv: true, iat: NOW / 1000 })
      .setProtectedHeader({ alg: 'ES256', typ: PUSH_TYP.response, kid })
      .sign(device);
    for (const t of [response, flipS(response)]) {
      expect(await verifyPushResponse({ response: t, expectedChallenge: created.record, devicePublicKey: keys.device.publicKey, now, crypto })).toMatchObject({
        ok: true,
        outcome: 'approved',
      });
    }
    const poll = await new SignJWT({ sub: ENROLMENT_ID, iat: NOW / 1000, jti: encodeBase64Url(new Uint8Array(16)) })
      .setProtectedHeader({ alg: 'ES256', typ: PUSH_TYP.poll, kid })
      .sign(device);
    expect((await verifyPushPollRequest({ request: poll, devicePublicKey: keys.device.publicKey, expectedEnrolmentId: ENROLMENT_ID, now, crypto })).ok).toBe(true);
  });

  it('jose-signed tokens with the wrong typ, extra or trusted-key headers, crit, or a wrong kid are refused', async () => {
    const kid = publicKeyThumbprint(keys.serverEs256);
    const verify = (challenge: string) => verifyPushChallenge({ challenge, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now, crypto });
    const jwk = publicKeyToJwk(keys.serverEs256);
    const settled = (p: Promise<string>) => p.then((t) => t, (e: unknown) => `sign failed: ${String(e)}`);
    const cases: Array<[string, Promise<string>, string]> = [
      ['typ response', new SignJWT(claims(0)).setProtectedHeader({ alg: 'ES256', typ: PUSH_TYP.response, kid }).sign(serverEs), 'malformed'],
      ['typ JWT', new SignJWT(claims(0)).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid }).sign(serverEs), 'malformed'],
      ['no typ', new SignJWT(claims(0)).setProtectedHeader({ alg: 'ES256', kid }).sign(serverEs), 'malformed'],
      ['no kid', new SignJWT(claims(0)).setProtectedHeader({ alg: 'ES256', typ: PUSH_TYP.challenge }).sign(serverEs), 'malformed'],
      ['embedded jwk', joseChallenge(serverEs, 'ES256', kid, 0, { jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: (jwk as { y: string }).y } }), 'malformed'],
      ['jku', joseChallenge(serverEs, 'ES256', kid, 0, { jku: 'https://attacker.example/keys' }), 'malformed'],
      ['x5u', joseChallenge(serverEs, 'ES256', kid, 0, { x5u: 'https://attacker.example/cert' }), 'malformed'],
      [
        'crit',
        new SignJWT(claims(0)).setProtectedHeader({ alg: 'ES256', typ: PUSH_TYP.challenge, kid, crit: ['x-ext'], 'x-ext': 1 }).sign(serverEs, { crit: { 'x-ext': true } }),
        'malformed',
      ],
      ['wrong kid', joseChallenge(serverEs, 'ES256', publicKeyThumbprint(keys.device), 0), 'bad_signature'],
      ['signed by the device key', joseChallenge(device, 'ES256', kid, 0), 'bad_signature'],
      ['extra claim', new SignJWT({ ...claims(0), num: '42' }).setProtectedHeader({ alg: 'ES256', typ: PUSH_TYP.challenge, kid }).sign(serverEs), 'malformed'],
      ['ttl over cap', new SignJWT({ ...claims(0), exp: NOW / 1000 + 601 }).setProtectedHeader({ alg: 'ES256', typ: PUSH_TYP.challenge, kid }).sign(serverEs), 'malformed'],
      ['fractional iat', new SignJWT({ ...claims(0), iat: NOW / 1000 + 0.5 }).setProtectedHeader({ alg: 'ES256', typ: PUSH_TYP.challenge, kid }).sign(serverEs), 'malformed'],
    ];
    // Settle every signing promise at once, so none can reject unobserved while others run.
    const signed = cases.map(([name, token, reason]) => [name, settled(token), reason] as const);
    for (const [name, token, reason] of signed) {
      const t = await token;
      expect(t.startsWith('sign failed')).toBe(false);
      expect([name, await verify(t)]).toEqual([name, { ok: false, reason }]);
    }
  });

  it('alg none and HS256 (the classic confusions) are refused', async () => {
    const kid = publicKeyThumbprint(keys.serverEs256);
    const body = encodeBase64Url(Buffer.from(JSON.stringify(claims(0))));
    const none = `${encodeBase64Url(Buffer.from(JSON.stringify({ alg: 'none', typ: PUSH_TYP.challenge, kid })))}.${body}.`;
    const hs = await new SignJWT(claims(0)).setProtectedHeader({ alg: 'HS256', typ: PUSH_TYP.challenge, kid }).sign(keys.serverEs256.publicKey);
    for (const token of [none, hs]) {
      expect(await verifyPushChallenge({ challenge: token, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now, crypto })).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
  });
});

describe('node:crypto DER signatures through the JWS layer', () => {
  it('an ES256 JWS whose signature was DER (as a naive host returns it) is refused; converted, it verifies', async () => {
    const key = createPrivateKey({ key: privateJwk(LABELS.serverEs256, 'ES256') as never, format: 'jwk' });
    const header = encodeBase64Url(Buffer.from(JSON.stringify({ alg: 'ES256', typ: PUSH_TYP.challenge, kid: publicKeyThumbprint(keys.serverEs256) })));
    const body = encodeBase64Url(Buffer.from(JSON.stringify({ jti: encodeBase64Url(new Uint8Array(16)), sub: ENROLMENT_ID, iat: NOW / 1000, exp: NOW / 1000 + 60, nm: false, ctx: { svc: 'x' } })));
    const input = Buffer.from(`${header}.${body}`);
    const der = nodeSign('sha256', input, { key, dsaEncoding: 'der' });
    const raw = nodeSign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
    const verify = (sig: Uint8Array) =>
      verifyPushChallenge({ challenge: `${header}.${body}.${encodeBase64Url(sig)}`, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now });
    expect(await verify(der)).toEqual({ ok: false, reason: 'malformed' });
    expect((await verify(raw)).ok).toBe(true);
  });
});
