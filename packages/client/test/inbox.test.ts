import { createSoftwareSigner } from '@cloudmfa/core';
import { buildApnsPayload, createPushChallenge } from '@cloudmfa/push/server';
import { describe, expect, it } from 'vitest';
import { extractPushPayload } from '../src/_payload.js';
import { activate, makeWorld, seededRandom } from './helpers.js';

async function setup(policy = { app: { pinRequired: false } }) {
  const w = makeWorld(policy);
  const auth = await w.phone();
  const id = await activate(w, auth, 'alice');
  // Number matching is on by default on the server; these pushes turn it off unless a test
  // is about it (it passes numberMatch: true).
  const push = async (o: { numberMatch?: boolean } = {}) => {
    const r = await w.mfa.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN', message: 'Sign in', ip: '203.0.113.9', location: 'Berlin, DE', device: 'Firefox' }, numberMatch: false, ...o });
    if (!r.ok) throw new Error(r.reason);
    return r;
  };
  return { w, auth, id, push };
}

describe('push inbox', () => {
  it('takes the payload as APNs, FCM and notification libraries hand it over', async () => {
    const { w, auth, push } = await setup();
    const p = await push();
    const token = p.token;
    const shapes: unknown[] = [
      p.apns.payload,
      p.apns.json,
      { message: p.fcm.payload },
      p.fcm.payload,
      p.fcm.payload.data,
      { data: p.fcm.payload.data },
      { request: { content: { data: { ...p.apns.payload } } } },
      { request: { trigger: { payload: p.apns.payload } } },
      { userInfo: { cloudmfa: JSON.stringify(p.apns.payload.cloudmfa) } },
      token,
    ];
    for (const shape of shapes) {
      const found = extractPushPayload(shape === shapes[2] ? (shape as { message: unknown }).message : shape);
      expect(found?.jws).toBe(token);
    }
    expect(await auth.receiveNotification({ request: { trigger: { payload: p.apns.payload } } })).toEqual({ ok: true, requestId: p.challengeId });
    for (const shape of shapes) expect(await auth.receiveNotification(shape === shapes[2] ? p.fcm.payload : shape)).toEqual({ ok: false, reason: 'duplicate' });
    expect(await auth.receiveNotification({ aps: { alert: 'hi' } })).toEqual({ ok: false, reason: 'not-cloudmfa' });
    expect(await auth.receiveNotification(null)).toEqual({ ok: false, reason: 'not-cloudmfa' });
    expect(await auth.receiveNotification({ cloudmfa: { v: 1, id: 'A'.repeat(22), exp: 1 } })).toEqual({ ok: false, reason: 'fetch-needed' });
    expect(auth.inbox()).toEqual([
      {
        id: p.challengeId,
        identityId: auth.list()[0]?.id,
        identityName: 'Acme Corporation',
        issuer: 'Acme Corporation',
        service: 'Acme VPN',
        message: 'Sign in',
        ip: '203.0.113.9',
        location: 'Berlin, DE',
        device: 'Firefox',
        expiresAt: p.expiresAt,
        secondsLeft: 120,
        numberMatch: false,
        requiresPin: false,
      },
    ]);
    await w.close();
  });

  it('refuses a challenge signed by another key, for an unknown enrolment, or expired; drops expired ones from the inbox', async () => {
    const { w, auth, push } = await setup();
    const enrolmentId = auth.list()[0]?.push?.enrolmentId as string;
    const forged = await createPushChallenge({
      enrolmentId,
      context: { service: 'Acme VPN' },
      signer: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('attacker') }),
      now: w.clock,
      random: seededRandom('forged'),
    });
    expect(await auth.receiveNotification(buildApnsPayload({ challenge: forged }).payload)).toEqual({ ok: false, reason: 'bad-signature' });
    const elsewhere = await createPushChallenge({
      enrolmentId: 'enr_unknown',
      context: { service: 'Acme VPN' },
      signer: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') }),
      now: w.clock,
      random: seededRandom('x'),
    });
    expect(await auth.receiveNotification(elsewhere.token)).toEqual({ ok: false, reason: 'unknown-identity' });
    const late = await push();
    w.clock.set(w.clock() + 200_000);
    expect(await auth.receiveNotification(late.apns.payload)).toEqual({ ok: false, reason: 'expired' });
    const p = await push();
    expect((await auth.receiveNotification(p.apns.payload)).ok).toBe(true);
    w.clock.set(w.clock() + 121_000);
    expect(auth.inbox()).toEqual([]);
    expect(await auth.respond({ requestId: p.challengeId, decision: 'confirm' })).toEqual({ ok: false, reason: 'not-found' });
    await w.close();
  });

  it('reading the inbox never emits (a React screen reads it during render); expiry is announced by writes', async () => {
    const { w, auth, push } = await setup();
    const p = await push();
    expect((await auth.receiveNotification(p.apns.payload)).ok).toBe(true);
    const events: string[] = [];
    auth.subscribe((e) => events.push(e.type));
    expect(auth.inbox()).toHaveLength(1);
    w.clock.set(w.clock() + 121_000);
    expect(auth.inbox()).toEqual([]);
    expect(auth.inbox()).toEqual([]);
    expect(events).toEqual([]);
    // Not read after it expired: the next write (here a poll) drops it and tells subscribers.
    const q = await push();
    expect((await auth.receiveNotification(q.apns.payload)).ok).toBe(true);
    events.length = 0;
    w.clock.set(w.clock() + 121_000);
    await auth.refresh();
    expect(events).toContain('inbox');
    expect(auth.inbox()).toEqual([]);
    await w.close();
  });

  it('a phone 10 minutes slow: the push looks not yet valid, the engine asks the time and accepts it', async () => {
    const { w, auth, push } = await setup();
    auth.skew(-600_000);
    const p = await push();
    expect(await auth.receiveNotification(p.apns.payload)).toEqual({ ok: true, requestId: p.challengeId });
    expect(auth.clock()).toMatchObject({ source: 'server-time', skewed: true });
    expect(await auth.respond({ requestId: p.challengeId, decision: 'confirm' })).toEqual({ ok: true, status: 'approved' });
    await w.close();
  });

  it('a push narrows a small clock error (the server time lies in [iat, exp])', async () => {
    const { w, auth, push } = await setup();
    auth.skew(25_000);
    const p = await push();
    expect((await auth.receiveNotification(p.apns.payload)).ok).toBe(true);
    // 25 s fast: a challenge issued now and valid 120 s allows offsets in [-25 s, +95 s]: the offset learned at redemption (0) fits, nothing changes.
    expect(auth.clock()).toMatchObject({ source: 'redemption', offsetMs: 0 });
    auth.skew(-25_000);
    const q = await push();
    expect((await auth.receiveNotification(q.apns.payload)).ok).toBe(true);
    // 25 s slow: the challenge's iat is 25 s in the phone's future: the offset becomes at least +25 s.
    expect(auth.clock()).toMatchObject({ source: 'push', offsetMs: 25_000, skewed: false });
    await w.close();
  });

  it('respond: number matching, a lost answer, a replay; Cancel sends nothing', async () => {
    const { w, auth, push } = await setup();
    const p = await push({ numberMatch: true });
    await auth.receiveNotification(p.apns.payload);
    expect(await auth.respond({ requestId: p.challengeId, decision: 'confirm', number: 'ab' })).toEqual({ ok: false, reason: 'number-required' });
    w.drop('/v1/push/respond', 1);
    expect(await auth.respond({ requestId: p.challengeId, decision: 'confirm', number: p.number as string })).toEqual({ ok: false, reason: 'network' });
    expect(auth.inbox()).toHaveLength(1);
    expect(await auth.respond({ requestId: p.challengeId, decision: 'confirm', number: p.number as string })).toEqual({ ok: true, status: 'approved' });
    expect(await auth.respond({ requestId: p.challengeId, decision: 'confirm' })).toEqual({ ok: false, reason: 'already-answered' });
    const c = await push();
    await auth.receiveNotification(c.apns.payload);
    const before = w.seen.length;
    expect(await auth.respond({ requestId: c.challengeId, decision: 'cancel' })).toEqual({ ok: true, status: 'cancelled' });
    expect(w.seen.length).toBe(before);
    expect((await w.mfa.getChallengeStatus(c.challengeId))?.status).toBe('pending');
    await expect(auth.respond({ requestId: c.challengeId, decision: 'approve' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await w.close();
  });

  it('setPushToken tells every push identity’s server', async () => {
    const { w, auth } = await setup();
    expect(await auth.setPushToken('apns-new-token')).toEqual({ ok: true, updated: 1, failed: 0 });
    const enrolmentId = auth.list()[0]?.push?.enrolmentId as string;
    const r = await w.mfa.createPushChallenge({ userId: 'alice', context: { service: 'x' } });
    expect(r.ok && r.pushToken).toBe('apns-new-token');
    expect((await w.mfa.getEnrolment(enrolmentId))?.status).toBe('active');
    await expect(auth.setPushToken('bad token')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await w.close();
  });
});
