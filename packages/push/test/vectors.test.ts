import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSoftwareSigner, decodeBase64Url, hexToBytes, isLowS, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import {
  PUSH_TYP,
  publicKeyThumbprint,
  publicKeyToJwk,
  verifyPushChallenge,
} from '@cloudmfa/push';
import { type PushChallengeRecord, verifyPushPollRequest, verifyPushResponse } from '@cloudmfa/push/server';
import { calculateJwkThumbprint, compactVerify, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { asciiBytes, type ParsedJws, verifyJwsSignature } from '../src/_jws.js';
import { ENROLMENT_ID, labelKey, LABELS, NOW } from './helpers.js';
import { generateVectors } from './vectors/generate.js';

const vectorsPath = fileURLToPath(new URL('./vectors/push-v1.json', import.meta.url));
// Rewrites the frozen copy only on purpose (see vectors/generate.ts).
if (process.env.PUSH_WRITE_VECTORS === '1') {
  writeFileSync(vectorsPath, `${JSON.stringify(JSON.parse(JSON.stringify(await generateVectors())), null, 2)}\n`);
}
const rfc = JSON.parse(readFileSync(fileURLToPath(new URL('./vectors/rfc-jws.json', import.meta.url)), 'utf8'));

describe('frozen push v1 vectors', () => {
  it('the code still produces the frozen tokens byte for byte', async () => {
    const fresh = JSON.parse(JSON.stringify(await generateVectors()));
    const frozen = JSON.parse(readFileSync(vectorsPath, 'utf8'));
    expect(fresh).toEqual(frozen);
  });

  const v = JSON.parse(readFileSync(vectorsPath, 'utf8'));
  const server = { algorithm: 'ES256' as const, publicKey: hexToBytes(v.keys.serverEs256.publicKey) };
  const serverEd = { algorithm: 'EdDSA' as const, publicKey: hexToBytes(v.keys.serverEd25519.publicKey) };
  const device = hexToBytes(v.keys.device.publicKey);
  const at = (ms: number) => () => ms;

  it('states where it came from, and its keys are the labelled ones', () => {
    expect(v.source).toMatch(/generate\.ts/);
    expect(v.keys.serverEs256.publicKey).toBe(Buffer.from(createSoftwareSigner({ privateKey: labelKey(LABELS.serverEs256) }).publicKey).toString('hex'));
    expect(v.keys.device.publicKey).toBe(Buffer.from(createSoftwareSigner({ privateKey: labelKey(LABELS.device) }).publicKey).toString('hex'));
  });

  it('thumbprints equal jose calculateJwkThumbprint', async () => {
    for (const k of [server, serverEd, { algorithm: 'ES256' as const, publicKey: device }]) {
      expect(publicKeyThumbprint(k)).toBe(await calculateJwkThumbprint(publicKeyToJwk(k)));
    }
    expect(publicKeyThumbprint(server)).toBe(v.keys.serverEs256.kid);
  });

  it('jose verifies every frozen token with the right typ', async () => {
    const date = new Date(NOW + 15_000);
    const serverJose = await importJWK(publicKeyToJwk(server), 'ES256');
    const serverEdJose = await importJWK(publicKeyToJwk(serverEd), 'EdDSA');
    const deviceJose = await importJWK(publicKeyToJwk({ algorithm: 'ES256', publicKey: device }), 'ES256');
    const c1 = await jwtVerify(v.challengeEs256NumberMatch.token, serverJose, { typ: PUSH_TYP.challenge, algorithms: ['ES256'], currentDate: date });
    expect(c1.payload.sub).toBe(ENROLMENT_ID);
    expect(c1.payload).not.toHaveProperty('num');
    await jwtVerify(v.challengeEd25519.token, serverEdJose, { typ: PUSH_TYP.challenge, algorithms: ['EdDSA'], currentDate: date });
    for (const token of Object.values(v.responses) as string[]) {
      await jwtVerify(token, deviceJose, { typ: PUSH_TYP.response, algorithms: ['ES256'], currentDate: date });
    }
    await jwtVerify(v.poll, deviceJose, { typ: PUSH_TYP.poll, algorithms: ['ES256'], currentDate: date });
  });

  it.each([
    ['pure JS', pureJsCryptoProvider],
    ['WebCrypto', webCryptoProvider()],
  ])('our verifiers give the expected outcome for each frozen token (%s)', async (_, crypto) => {
    const record: PushChallengeRecord = v.challengeEs256NumberMatch.record;
    const now = at(NOW + 20_000);
    const c = await verifyPushChallenge({ challenge: v.challengeEs256NumberMatch.token, serverKey: server, expectedEnrolmentId: ENROLMENT_ID, now, crypto });
    expect(c.ok && c.challenge.numberMatch && c.challenge.hash === record.hash).toBe(true);
    const e = await verifyPushChallenge({ challenge: v.challengeEd25519.token, serverKey: serverEd, expectedEnrolmentId: ENROLMENT_ID, now, crypto });
    expect(e.ok && !e.challenge.numberMatch).toBe(true);
    const check = (response: string) => verifyPushResponse({ response, expectedChallenge: record, devicePublicKey: device, now, crypto });
    expect(await check(v.responses.confirm)).toMatchObject({ ok: true, outcome: 'approved', event: 'approve', userVerified: true });
    expect(await check(v.responses.confirmWrongNumber)).toMatchObject({ ok: false, reason: 'wrong_number', event: 'deny' });
    expect(await check(v.responses.suspicious)).toMatchObject({ ok: true, outcome: 'denied', suspicious: true, event: 'suspicious' });
    expect(await check(v.responses.cancel)).toMatchObject({ ok: true, outcome: 'cancelled', event: 'cancel' });
    expect(await verifyPushPollRequest({ request: v.poll, devicePublicKey: device, expectedEnrolmentId: ENROLMENT_ID, now, crypto })).toMatchObject({ ok: true });
  });

  it('the spec quotes the frozen vectors (docs/protocol/push.md 9)', () => {
    const spec = readFileSync(fileURLToPath(new URL('../../../docs/protocol/push.md', import.meta.url)), 'utf8');
    for (const value of [v.challengeEs256NumberMatch.token, v.responses.confirm, v.keys.serverEs256.kid, v.keys.device.kid, v.challengeEs256NumberMatch.record.hash]) {
      expect(spec).toContain(value);
    }
  });

  it('payload JSON is frozen too and never holds the number', () => {
    const number = v.challengeEs256NumberMatch.number as string;
    expect(JSON.parse(v.payloads.apns).cloudmfa.jws).toBe(v.challengeEs256NumberMatch.token);
    expect(JSON.parse(v.payloads.fcm).data.cloudmfa_jws).toBe(v.challengeEs256NumberMatch.token);
    for (const json of [v.payloads.apns, v.payloads.fcm]) {
      const parsed = JSON.parse(json);
      expect(JSON.stringify(parsed)).not.toContain(`"${number}"`);
    }
    const claims = JSON.parse(Buffer.from(v.challengeEs256NumberMatch.token.split('.')[1], 'base64url').toString('utf8'));
    expect(Object.keys(claims)).toEqual(['jti', 'sub', 'iat', 'exp', 'nm', 'ctx']);
  });
});

describe('RFC JWS examples (rfc-jws.json)', () => {
  const parsedOf = (token: string): ParsedJws => {
    const [h, p, s] = token.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    return { alg: header.alg, typ: '', kid: '', signingInput: asciiBytes(`${h}.${p}`), payload: decodeBase64Url(p), signature: decodeBase64Url(s) };
  };
  const ecKey = {
    algorithm: 'ES256' as const,
    publicKey: new Uint8Array([4, ...decodeBase64Url(rfc.rfc7515A3.jwk.x), ...decodeBase64Url(rfc.rfc7515A3.jwk.y)]),
  };
  const edKey = { algorithm: 'EdDSA' as const, publicKey: decodeBase64Url(rfc.rfc8037A4.jwk.x) };

  it.each([
    ['pure JS', pureJsCryptoProvider],
    ['WebCrypto', webCryptoProvider()],
  ])('the JWS signature layer verifies RFC 7515 A.3 and RFC 8037 A.4 (%s)', async (_, crypto) => {
    expect(await verifyJwsSignature(parsedOf(rfc.rfc7515A3.token), ecKey, '', crypto)).toBe(true);
    expect(await verifyJwsSignature(parsedOf(rfc.rfc8037A4.token), edKey, '', crypto)).toBe(true);
    const tampered = parsedOf(rfc.rfc7515A3.token);
    tampered.signingInput[0] = (tampered.signingInput[0] as number) ^ 1;
    expect(await verifyJwsSignature(tampered, ecKey, '', crypto)).toBe(false);
  });

  it('RFC 7515 A.3 is a high-S signature: why the push layer accepts high S (docs/protocol/push.md 2)', async () => {
    const parsed = parsedOf(rfc.rfc7515A3.token);
    expect(isLowS(parsed.signature)).toBe(false);
    // Core's provider alone refuses high S; the RFC's own example must still verify here.
    expect(await pureJsCryptoProvider.p256Verify(ecKey.publicKey, parsed.signingInput, parsed.signature)).toBe(false);
    expect(await verifyJwsSignature(parsed, ecKey, '', pureJsCryptoProvider)).toBe(true);
  });

  it('Ed25519 signing reproduces the RFC 8037 A.4 signature; the thumbprint is RFC 8037 A.3', async () => {
    const signer = createSoftwareSigner({ algorithm: 'EdDSA', privateKey: decodeBase64Url(rfc.rfc8037A4.jwk.d) });
    expect(Buffer.from(signer.publicKey).toString('base64url')).toBe(rfc.rfc8037A4.jwk.x);
    const [h, p, s] = rfc.rfc8037A4.token.split('.');
    expect(Buffer.from(await signer.sign(utf8Encode(`${h}.${p}`))).toString('base64url')).toBe(s);
    expect(publicKeyThumbprint(edKey)).toBe(rfc.rfc8037A4.thumbprint);
    const { d: _private, ...publicJwk } = rfc.rfc8037A4.jwk;
    await compactVerify(rfc.rfc8037A4.token, await importJWK(publicJwk, 'EdDSA'));
  });

  it('the push verifiers refuse them as malformed: they carry no typ', async () => {
    const now = () => 1_300_819_000_000;
    expect(await verifyPushChallenge({ challenge: rfc.rfc7515A3.token, serverKey: ecKey, expectedEnrolmentId: 'joe', now })).toEqual({ ok: false, reason: 'malformed' });
    expect(await verifyPushChallenge({ challenge: rfc.rfc8037A4.token, serverKey: edKey, expectedEnrolmentId: 'joe', now })).toEqual({ ok: false, reason: 'malformed' });
  });
});
