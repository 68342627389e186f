// Issue 11 §2, the red-team scenarios on every real store: after Suspicious, nothing of that
// user can be approved; a pending cap per user; number matching on by default with the number
// never stored in plain text.
import type { MfaStore } from '@cloudmfa/storage';
import { afterAll, describe, expect, it } from 'vitest';
import type { MfaServerPolicyInput } from '../src/index.js';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { activateOnline, answerPush, makeDevice, makeServer, numberOf, T0, type TestServer } from './helpers.js';

const CONTEXT = { service: 'Acme VPN', ip: '203.0.113.7' };
afterAll(closeBackends);

describe.each(Object.keys(BACKENDS))('push fatigue on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);

  const serverWith = (policy?: MfaServerPolicyInput, wrap: (s: MfaStore) => MfaStore = (s) => s): TestServer => {
    const t = makeServer({ clock: backendNow.clock(), store: () => wrap(backendNow.opened().store), ...(policy ? { policy } : {}) });
    return t;
  };

  it('Suspicious closes every pending challenge of the user (130: 120 on one device, 10 on another), and none can be approved afterwards', async () => {
    const t = serverWith({ push: { maxPendingPerUser: 1000 } });
    const a = makeDevice('a');
    const b = makeDevice('b');
    const { identity: ia } = await activateOnline(t, a);
    const { identity: ib } = await activateOnline(t, b);
    const made = [];
    for (let i = 0; i < 130; i++) {
      const onA = i < 120;
      const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT, enrolmentId: onA ? ia.enrolmentId : ib.enrolmentId });
      if (!c.ok) throw new Error(`challenge ${i} refused: ${c.reason}`);
      made.push({ c, device: onA ? a : b, identity: onA ? ia : ib });
    }
    const flagged = made[129]!;
    await t.server.submitPushResponse(await answerPush(t, flagged.identity, flagged.device, flagged.c.token, 'suspicious'));
    expect(t.events.at(-1)).toMatchObject({ kind: 'push.suspicious', detail: { closedChallenges: 129 } });
    // The oldest first: the one a default list limit would have missed.
    for (const m of [made[0]!, made[1]!, made[100]!, made[119]!, made[128]!]) {
      const late = await answerPush(t, m.identity, m.device, m.c.token, 'confirm', numberOf(m.c));
      expect(await t.server.submitPushResponse(late)).toMatchObject({ ok: false });
      expect((await t.server.getChallengeStatus(m.c.challengeId))?.status).toBe('cancelled');
    }
    expect(t.events.map((e) => e.kind)).not.toContain('push.approved');
  });

  it('challenges created while Suspicious is handled are either closed or refused', async () => {
    const t = serverWith({ push: { maxPendingPerUser: 1000 } });
    const device = makeDevice('a');
    const { identity } = await activateOnline(t, device);
    const flagged = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!flagged.ok) throw new Error('no challenge');
    const suspicious = await answerPush(t, identity, device, flagged.token, 'suspicious');
    const [, ...created] = await Promise.all([
      t.server.submitPushResponse(suspicious),
      ...Array.from({ length: 15 }, () => t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })),
    ]);
    for (const c of created) {
      if (!c.ok) {
        expect(c.reason).toBe('paused');
        continue;
      }
      const r = await t.server.submitPushResponse(await answerPush(t, identity, device, c.token, 'confirm', numberOf(c)));
      expect(r).toMatchObject({ ok: false });
    }
    expect(t.events.map((e) => e.kind)).not.toContain('push.approved');
  });

  it('an approval is refused while the user\'s pushes are paused (even for a challenge the pause has not closed yet)', async () => {
    let pausedUntil: number | null = null;
    // The pause is visible while this one challenge is still pending: what a reader sees
    // between the pause and its cancellations on a multi-slot store.
    const t = serverWith(undefined, (s) => ({ ...s, challenges: { ...s.challenges, getPause: async () => pausedUntil } }));
    const device = makeDevice('a');
    const { identity } = await activateOnline(t, device);
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c.ok) throw new Error('no challenge');
    pausedUntil = t.clock() + 60_000;
    const r = await t.server.submitPushResponse(await answerPush(t, identity, device, c.token, 'confirm', numberOf(c)));
    expect(r).toEqual({ ok: false, reason: 'paused', challengeId: c.challengeId });
    expect((await t.server.getChallengeStatus(c.challengeId))?.status).toBe('cancelled');
    expect(t.events.map((e) => e.kind)).not.toContain('push.approved');
  });

  it('caps pending challenges per user (default 3): the next push is refused with its own reason', async () => {
    const t = serverWith();
    await activateOnline(t, makeDevice('a'));
    for (let i = 0; i < 3; i++) expect(await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).toMatchObject({ ok: true });
    expect(await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).toEqual({ ok: false, reason: 'too_many_pending', pending: 3 });
    t.clock.advance(120_000); // all three expired
    expect(await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT })).toMatchObject({ ok: true });
  });

  it('number matching is on by default (the policy can turn it off), and the number is not stored in plain text', async () => {
    const t = serverWith();
    const device = makeDevice('a');
    const { identity } = await activateOnline(t, device);
    const c = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c.ok) throw new Error('no challenge');
    expect(c.number).toMatch(/^[1-9][0-9]$/);
    const stored = await t.store.challenges.get(c.challengeId);
    expect(stored?.meta.number).toBeUndefined();
    expect(typeof stored?.meta.numberMac).toBe('string');
    expect(JSON.stringify(stored?.meta)).not.toContain(`"${c.number}"`);
    // Without the number (or with another) the approval is a denial; with it, approved.
    const wrong = c.number === '10' ? '11' : '10';
    expect(await t.server.submitPushResponse(await answerPush(t, identity, device, c.token, 'confirm', { number: wrong }))).toMatchObject({ ok: true, status: 'denied', detail: 'wrong_number' });
    const c2 = await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    if (!c2.ok) throw new Error('no challenge');
    expect(await t.server.submitPushResponse(await answerPush(t, identity, device, c2.token, 'confirm', numberOf(c2)))).toMatchObject({ ok: true, status: 'approved' });

    const off = serverWith({ push: { numberMatch: false } });
    const c3 = await off.server.createPushChallenge({ userId: 'alice', context: CONTEXT });
    expect(c3).toMatchObject({ ok: true, number: null });
  });
});
