import { isCloudMfaError, pureJsCryptoProvider } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { createPushPollRequest, createPushResponse, peekPushMessage } from '@cloudmfa/push';
import { verifyPushPollRequest } from '@cloudmfa/push/server';
import { describe, expect, it } from 'vitest';
import { ENROLMENT_ID, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();

describe.each([
  ['pure JS', pureJsCryptoProvider],
  ['WebCrypto', webCryptoProvider()],
])('device poll request (%s)', (_, crypto) => {
  const make = (at = NOW, enrolmentId = ENROLMENT_ID, signer = keys.device) =>
    createPushPollRequest({ enrolmentId, signer, now: () => at, random: seededRandom('poll') });
  const verify = (request: string, at = NOW, extra: Partial<Parameters<typeof verifyPushPollRequest>[0]> = {}) =>
    verifyPushPollRequest({ request, devicePublicKey: keys.device.publicKey, expectedEnrolmentId: ENROLMENT_ID, now: () => at, crypto, ...extra });

  it('is device-signed and valid within +-60 s', async () => {
    const request = await make();
    const result = await verify(request);
    expect(result).toMatchObject({ ok: true, enrolmentId: ENROLMENT_ID, issuedAt: NOW });
    expect(result.ok && Buffer.from(result.requestId, 'base64url').length).toBe(16);
    expect((await verify(request, NOW + 60_000)).ok).toBe(true);
    expect((await verify(request, NOW - 60_000)).ok).toBe(true);
    expect(await verify(request, NOW + 60_001)).toEqual({ ok: false, reason: 'expired' });
    expect(await verify(request, NOW - 60_001)).toEqual({ ok: false, reason: 'expired' });
  });

  it('wrong key, wrong enrolment, wrong kind', async () => {
    expect(await verify(await make(NOW, ENROLMENT_ID, keys.otherDevice))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verify(await make(NOW, 'enr_other'))).toEqual({ ok: false, reason: 'mismatch' });
    // A response token (same key, other typ) is never a poll request.
    const { verifyPushChallenge } = await import('@cloudmfa/push');
    const { createPushChallenge } = await import('@cloudmfa/push/server');
    const c = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: { service: 's' }, signer: keys.serverEs256, now: () => NOW, random: seededRandom() });
    const v = await verifyPushChallenge({ challenge: c.token, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now: () => NOW });
    if (!v.ok) throw new Error('unreachable');
    const response = await createPushResponse({ challenge: v.challenge, decision: 'cancel', userVerified: false, signer: keys.device, now: () => NOW });
    expect(await verify(response)).toEqual({ ok: false, reason: 'malformed' });
    expect(peekPushMessage(response)).toMatchObject({ ok: true, kind: 'response', challengeId: c.record.id });
    expect(peekPushMessage(c.token)).toMatchObject({ ok: true, kind: 'challenge', challengeId: c.record.id, enrolmentId: ENROLMENT_ID });
  });

  it('peekPushMessage finds the enrolment before verification', async () => {
    expect(peekPushMessage(await make())).toEqual({ ok: true, kind: 'poll', keyId: expect.any(String), enrolmentId: ENROLMENT_ID });
    expect(peekPushMessage('a.b.c')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('misuse', async () => {
    const request = await make();
    for (const extra of [{ expectedEnrolmentId: '' }, { devicePublicKey: keys.serverEd25519.publicKey }, { maxSkewMs: -1 }]) {
      const err = await verify(request, NOW, extra as never).catch((e) => e);
      expect(isCloudMfaError(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
    }
    const err = await createPushPollRequest({ enrolmentId: ENROLMENT_ID, signer: keys.serverEd25519, now: () => NOW }).catch((e) => e);
    expect(isCloudMfaError(err, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
