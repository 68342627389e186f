import { isCloudMfaError, pureJsCryptoProvider } from '@cloudmfa/core';
import { createDeviceRequest, createPushPollRequest } from '@cloudmfa/push';
import { peekDeviceRequest, verifyDeviceRequest } from '@cloudmfa/push/server';
import { describe, expect, it } from 'vitest';
import { ENROLMENT_ID, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();

describe('device request (push token, unregister)', () => {
  const make = (o: Partial<Parameters<typeof createDeviceRequest>[0]> = {}) =>
    createDeviceRequest({ enrolmentId: ENROLMENT_ID, action: 'push-token', pushToken: 'apns-token-1', signer: keys.device, now: () => NOW, random: seededRandom('dev'), ...o });
  const verify = (request: string, o: Partial<Parameters<typeof verifyDeviceRequest>[0]> = {}) =>
    verifyDeviceRequest({ request, devicePublicKey: keys.device.publicKey, expectedEnrolmentId: ENROLMENT_ID, expectedAction: 'push-token', now: () => NOW, crypto: pureJsCryptoProvider, ...o });

  it('carries the new token, signed, within +-60 s', async () => {
    const request = await make();
    expect(await verify(request)).toMatchObject({ ok: true, enrolmentId: ENROLMENT_ID, action: 'push-token', pushToken: 'apns-token-1', issuedAt: NOW });
    expect(await verify(await make({ pushToken: null }))).toMatchObject({ ok: true, pushToken: null });
    expect(await verify(request, { now: () => NOW + 60_001 })).toEqual({ ok: false, reason: 'expired' });
    expect(peekDeviceRequest(request)).toEqual({ ok: true, enrolmentId: ENROLMENT_ID });
  });

  it('refuses another key, enrolment or action, and other message kinds', async () => {
    expect(await verify(await make({ signer: keys.otherDevice }))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verify(await make({ enrolmentId: 'enr_other' }))).toEqual({ ok: false, reason: 'mismatch' });
    const unregister = await make({ action: 'unregister', pushToken: undefined });
    expect(await verify(unregister)).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verify(unregister, { expectedAction: 'unregister' })).toMatchObject({ ok: true, action: 'unregister', pushToken: null });
    const poll = await createPushPollRequest({ enrolmentId: ENROLMENT_ID, signer: keys.device, now: () => NOW, random: seededRandom('p') });
    expect(await verify(poll)).toEqual({ ok: false, reason: 'malformed' });
    expect(peekDeviceRequest(poll)).toEqual({ ok: false, reason: 'malformed' });
    expect(await verify('x.y.z')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('misuse throws ERR_INVALID_ARGUMENT', async () => {
    for (const o of [{ action: 'delete' as never }, { pushToken: 'bad token' }, { action: 'unregister' as const, pushToken: 't' }]) {
      await expect(make(o)).rejects.toSatisfy((e) => isCloudMfaError(e, 'ERR_INVALID_ARGUMENT'));
    }
  });
});
