import { describe, expect, it } from 'vitest';
import type { MfaServerPolicyInput } from '../src/index.js';
import { activateOnline, answerPush, auditKinds, makeDevice, makeServer, pollRequest } from './helpers.js';

const CONTEXT = { service: 'Acme VPN', ip: '203.0.113.7', location: 'Berlin, DE' };

async function setup(policy?: MfaServerPolicyInput) {
  const t = makeServer(policy ? { policy } : {});
  const device = makeDevice('a');
  const { identity } = await activateOnline(t, device);
  return { t, device, identity };
}

describe('push', () => {
  it('Confirm: challenge, APNs/FCM payloads, approval, status, audit', async () => {
    const { t, device, identity } = await setup();
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c).toMatchObject({ enrolmentId: identity.enrolmentId, number: null, pushToken: 'apns-a', platform: 'ios', expiresAt: t.clock() + 120_000 });
    expect(c.apns.challengeIncluded).toBe(true);
    expect(c.apns.bytes).toBeLessThanOrEqual(4096);
    expect(c.fcm.payload.data.cloudmfa_jws).toBe(c.token);
    expect(await t.server.getChallengeStatus(c.challengeId)).toEqual({ id: c.challengeId, status: 'pending', expiresAt: c.expiresAt, finalizedAt: null, numberMatch: false });

    const response = await answerPush(t, identity, device, c.token, 'confirm');
    expect(await t.server.submitPushResponse(response)).toEqual({ ok: true, challengeId: c.challengeId, status: 'approved', suspicious: false, detail: null });
    expect((await t.server.getChallengeStatus(c.challengeId))?.status).toBe('approved');
    // Single use: the same response again is a replay, audited once only.
    expect(await t.server.submitPushResponse(response)).toEqual({ ok: false, reason: 'replayed', challengeId: c.challengeId });
    expect((await auditKinds(t)).filter((k) => k.startsWith('push.'))).toEqual(['push.approved']);
    expect(t.events.at(-1)).toMatchObject({ kind: 'push.approved', risk: false, detail: { challengeId: c.challengeId, userVerified: true } });
  });

  it('two servers given the same response: exactly one approval', async () => {
    const { t, device, identity } = await setup();
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c.ok) throw new Error('no challenge');
    const response = await answerPush(t, identity, device, c.token, 'confirm');
    const results = await Promise.all(Array.from({ length: 10 }, () => t.server.submitPushResponse(response)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'replayed')).toHaveLength(9);
    expect((await auditKinds(t)).filter((k) => k === 'push.approved')).toHaveLength(1);
  });

  it('number matching: the number is for the login page only; a wrong number denies (one attempt)', async () => {
    const { t, device, identity } = await setup();
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT, numberMatch: true });
    if (!c.ok) throw new Error('no challenge');
    expect(c.number).toMatch(/^[1-9][0-9]$/);
    expect(c.token).not.toContain(c.number as string);
    expect(JSON.stringify(c.apns.payload)).not.toContain(`"${c.number}"`);
    const wrongNumber = c.number === '10' ? '11' : '10';
    const response = await answerPush(t, identity, device, c.token, 'confirm', { number: wrongNumber });
    expect(await t.server.submitPushResponse(response)).toEqual({ ok: true, challengeId: c.challengeId, status: 'denied', suspicious: false, detail: 'wrong_number' });
    expect(t.events.at(-1)).toMatchObject({ kind: 'push.denied', detail: { reason: 'wrong_number' } });
    expect(JSON.stringify(t.events)).not.toContain(`"${c.number}"`);

    const c2 = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT, numberMatch: { digits: 4 } });
    if (!c2.ok) throw new Error('no challenge');
    expect(c2.number).toMatch(/^[1-9][0-9]{3}$/);
    const ok = await answerPush(t, identity, device, c2.token, 'confirm', { number: c2.number as string });
    expect(await t.server.submitPushResponse(ok)).toMatchObject({ ok: true, status: 'approved' });
  });

  it('Suspicious denies, raises a risk event and pauses pushes to the user; resumePush lifts it', async () => {
    const { t, device, identity } = await setup();
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c.ok) throw new Error('no challenge');
    const response = await answerPush(t, identity, device, c.token, 'suspicious');
    expect(await t.server.submitPushResponse(response)).toEqual({ ok: true, challengeId: c.challengeId, status: 'denied', suspicious: true, detail: null });
    const risk = t.events.at(-1);
    expect(risk).toMatchObject({ kind: 'push.suspicious', risk: true, userId: 'alice', detail: { challengeId: c.challengeId, pausedUntil: t.clock() + 900_000 } });
    expect(await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).toEqual({ ok: false, reason: 'paused', retryAfterMs: 900_000 });
    t.clock.advance(899_999);
    expect(await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).toEqual({ ok: false, reason: 'paused', retryAfterMs: 1 });
    t.clock.advance(1);
    expect((await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).ok).toBe(true);

    const again = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!again.ok) throw new Error('no challenge');
    await t.server.submitPushResponse(await answerPush(t, identity, device, again.token, 'suspicious'));
    expect((await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).ok).toBe(false);
    await t.server.resumePush('alice');
    expect((await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).ok).toBe(true);
    expect(await auditKinds(t)).toContain('push.resumed');
  });

  it('Suspicious closes the user\'s other pending challenges: the earlier prompts of a push-fatigue attack cannot be approved later', async () => {
    const { t, device, identity } = await setup();
    const first = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    const second = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    const flagged = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!first.ok || !second.ok || !flagged.ok) throw new Error('no challenge');
    await t.server.submitPushResponse(await answerPush(t, identity, device, flagged.token, 'suspicious'));
    expect(t.events.at(-1)).toMatchObject({ kind: 'push.suspicious', detail: { challengeId: flagged.challengeId, closedChallenges: 2 } });
    for (const c of [first, second]) {
      expect(await t.server.getChallengeStatus(c.challengeId)).toMatchObject({ status: 'cancelled' });
      const late = await answerPush(t, identity, device, c.token, 'confirm');
      expect(await t.server.submitPushResponse(late)).toMatchObject({ ok: false, reason: 'replayed' });
    }
    expect(await auditKinds(t)).not.toContain('push.approved');
  });

  it('a pause of 0 turns pausing off', async () => {
    const { t, device, identity } = await setup({ push: { suspiciousPauseMs: 0 } });
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c.ok) throw new Error('no challenge');
    await t.server.submitPushResponse(await answerPush(t, identity, device, c.token, 'suspicious'));
    expect(t.events.at(-1)?.detail).toMatchObject({ pausedUntil: null });
    expect((await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).ok).toBe(true);
  });

  it('Cancel closes the challenge and is never audited nor evented', async () => {
    const { t, device, identity } = await setup();
    const before = t.events.length;
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c.ok) throw new Error('no challenge');
    const response = await answerPush(t, identity, device, c.token, 'cancel');
    expect(await t.server.submitPushResponse(response)).toEqual({ ok: true, challengeId: c.challengeId, status: 'cancelled', suspicious: false, detail: null });
    expect((await t.server.getChallengeStatus(c.challengeId))?.status).toBe('cancelled');
    expect(t.events.length).toBe(before);
    expect((await auditKinds(t)).filter((k) => k.startsWith('push.'))).toEqual([]);
  });

  it('late answers, foreign keys and revoked enrolments are refused without effect', async () => {
    const { t, device, identity } = await setup();
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c.ok) throw new Error('no challenge');
    // Signed by another device key.
    const stranger = makeDevice('mallory');
    const forged = await answerPush(t, identity, stranger, c.token, 'confirm');
    expect(await t.server.submitPushResponse(forged)).toEqual({ ok: false, reason: 'bad_signature', challengeId: null });
    expect((await t.server.getChallengeStatus(c.challengeId))?.status).toBe('pending');
    // Late.
    const response = await answerPush(t, identity, device, c.token, 'confirm');
    t.clock.set(c.expiresAt + 1);
    expect(await t.server.submitPushResponse(response)).toMatchObject({ ok: false, reason: 'expired' });
    expect((await t.server.getChallengeStatus(c.challengeId))?.status).toBe('expired');
    // Junk.
    for (const junk of ['', 'a.b.c', 42, null, { response }, 'x'.repeat(5000)]) {
      expect(await t.server.submitPushResponse(junk)).toMatchObject({ ok: false, reason: 'malformed' });
    }
    expect(await t.server.getChallengeStatus('../etc')).toBeNull();
    expect(await t.server.getChallengeStatus(42)).toBeNull();
    // Revoked.
    const c2 = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c2.ok) throw new Error('no challenge');
    const r2 = await answerPush(t, identity, device, c2.token, 'confirm');
    await t.server.revokeEnrolment({ enrolmentId: identity.enrolmentId });
    expect(await t.server.submitPushResponse(r2)).toEqual({ ok: false, reason: 'not_active', challengeId: c2.challengeId });
    expect(await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).toEqual({ ok: false, reason: 'no_device' });
  });

  it('requireUserVerification denies a Confirm without PIN or biometrics', async () => {
    const { t, device, identity } = await setup({ push: { requireUserVerification: true } });
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c.ok) throw new Error('no challenge');
    const response = await answerPush(t, identity, device, c.token, 'confirm', { userVerified: false });
    expect(await t.server.submitPushResponse(response)).toMatchObject({ ok: true, status: 'denied', detail: 'user_not_verified' });
  });

  it('device poll lists pending challenges, newest first, for a valid signed request only', async () => {
    const { t, device, identity } = await setup();
    const c1 = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    t.clock.advance(1000);
    const c2 = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c1.ok || !c2.ok) throw new Error('no challenge');
    const poll = await pollRequest(t, identity, device);
    expect(await t.server.pollPushChallenges(poll)).toEqual({ ok: true, enrolmentId: identity.enrolmentId, challenges: [c2.token, c1.token] });
    await t.server.submitPushResponse(await answerPush(t, identity, device, c2.token, 'cancel'));
    expect(await t.server.pollPushChallenges(await pollRequest(t, identity, device))).toMatchObject({ challenges: [c1.token] });
    expect(await t.server.pollPushChallenges(await pollRequest(t, identity, makeDevice('mallory')))).toEqual({ ok: false, reason: 'bad_signature' });
    t.clock.advance(60_001);
    expect(await t.server.pollPushChallenges(poll)).toEqual({ ok: false, reason: 'expired' });
    expect(await t.server.pollPushChallenges('junk')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('no device: offline and otpauth enrolments cannot receive pushes', async () => {
    const t = makeServer();
    await t.server.startActivation({ userId: 'dave', mode: 'otpauth' });
    expect(await t.server.createPushChallenge({ userId: 'dave', context: CONTEXT })).toEqual({ ok: false, reason: 'no_device' });
    await expect(t.server.createPushChallenge({ userId: 'dave', context: { service: '' } })).resolves.toEqual({ ok: false, reason: 'no_device' });
    const { t: t2 } = await setup();
    await expect(t2.server.createPushChallenge({ userId: 'alice', context: { service: 'x'.repeat(65) } })).rejects.toMatchObject({ code: 'ERR_PUSH_CONTEXT_TOO_LARGE' });
  });
});
