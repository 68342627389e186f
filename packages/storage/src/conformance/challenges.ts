import { expect, it } from 'vitest';
import { type Ctx, expectCode, challenge, MIN } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// push challenges

export function challengeTests(c: Ctx): void {
  it('creates a pending challenge and reads it back', async () => {
    const t0 = c.clock();
    const created = await challenge(c, 'ch1');
    expect(created).toEqual({
      id: 'ch1',
      enrolmentId: 'enr1',
      userId: 'alice',
      status: 'pending',
      createdAt: t0,
      expiresAt: t0 + 2 * MIN,
      finalizedAt: null,
      meta: { jws: 'eyJhbGciOiJFUzI1NiJ9.e30.sig', number: '42' },
      outcome: null,
    });
    expect(await c.store.challenges.get('ch1')).toEqual(created);
    expect(await c.store.challenges.get('nope')).toBeNull();
  });

  it('refuses a duplicate id with ERR_STORAGE_CONFLICT', async () => {
    await challenge(c, 'ch1');
    await expectCode(() => challenge(c, 'ch1', { userId: 'mallory' }), 'ERR_STORAGE_CONFLICT');
    expect((await c.store.challenges.get('ch1'))?.userId).toBe('alice');
  });

  for (const status of ['approved', 'denied', 'cancelled'] as const) {
    it(`finalizes pending -> ${status} once; a second answer says already_final`, async () => {
      await challenge(c, 'ch1');
      c.clock.advance(5000);
      const r = await c.store.challenges.finalize('ch1', { status, outcome: { userVerified: true } });
      expect(r).toMatchObject({ ok: true, challenge: { status, finalizedAt: c.clock(), outcome: { userVerified: true } } });
      expect(await c.store.challenges.get('ch1')).toEqual(r.ok ? r.challenge : null);
      const other = status === 'approved' ? 'denied' : 'approved';
      const again = await c.store.challenges.finalize('ch1', { status: other });
      expect(again).toMatchObject({ ok: false, reason: 'already_final', status, challenge: { status } });
    });
  }

  it('finalize without an outcome stores null', async () => {
    await challenge(c, 'ch1');
    expect(await c.store.challenges.finalize('ch1', { status: 'cancelled' })).toMatchObject({ ok: true, challenge: { outcome: null } });
  });

  it('expires by the injected clock: a late answer fails with expired (boundary: expiresAt is late)', async () => {
    await challenge(c, 'in-time', { ttl: 2 * MIN });
    await challenge(c, 'late', { ttl: 2 * MIN });
    const expiresAt = c.clock() + 2 * MIN;
    c.clock.advance(2 * MIN - 1);
    expect((await c.store.challenges.finalize('in-time', { status: 'approved' })).ok).toBe(true);
    c.clock.advance(1);
    const r = await c.store.challenges.finalize('late', { status: 'approved' });
    expect(r).toMatchObject({ ok: false, reason: 'expired', challenge: { id: 'late', status: 'expired', finalizedAt: expiresAt } });
    expect(await c.store.challenges.get('late')).toMatchObject({ status: 'expired', finalizedAt: expiresAt, outcome: null });
    // A challenge answered in time stays answered after its expiry.
    expect(await c.store.challenges.get('in-time')).toMatchObject({ status: 'approved' });
    expect(await c.store.challenges.finalize('in-time', { status: 'denied' })).toMatchObject({
      ok: false,
      reason: 'already_final',
      status: 'approved',
    });
  });

  it('reports not_found for an unknown challenge', async () => {
    expect(await c.store.challenges.finalize('ghost', { status: 'approved' })).toEqual({ ok: false, reason: 'not_found' });
  });

  it('lists pending unexpired challenges of an enrolment, newest first, with a limit', async () => {
    await challenge(c, 'old', { ttl: 10 * MIN });
    c.clock.advance(1000);
    await challenge(c, 'mid-b', { ttl: 10 * MIN });
    await challenge(c, 'mid-a', { ttl: 10 * MIN });
    await challenge(c, 'short', { ttl: 2000 });
    await challenge(c, 'answered', { ttl: 10 * MIN });
    await challenge(c, 'elsewhere', { enrolmentId: 'enr2', ttl: 10 * MIN });
    await c.store.challenges.finalize('answered', { status: 'approved' });
    c.clock.advance(1000);
    await challenge(c, 'new', { ttl: 10 * MIN });
    c.clock.advance(1000); // 'short' is now expired
    const list = await c.store.challenges.listPending('enr1');
    expect(list.map((x) => x.id)).toEqual(['new', 'mid-b', 'mid-a', 'old']);
    expect(list.every((x) => x.status === 'pending')).toBe(true);
    expect((await c.store.challenges.listPending('enr1', { limit: 2 })).map((x) => x.id)).toEqual(['new', 'mid-b']);
    expect((await c.store.challenges.listPending('enr2')).map((x) => x.id)).toEqual(['elsewhere']);
    expect(await c.store.challenges.listPending('enr3')).toEqual([]);
  });

  it('pauseUser cancels EVERY pending challenge of the user (all enrolments, beyond any list limit) and nobody else\'s', async () => {
    const t0 = c.clock();
    for (let i = 0; i < 130; i++) await challenge(c, `a${i}`, { enrolmentId: i % 2 ? 'enr1' : 'enr2' });
    await challenge(c, 'bob1', { enrolmentId: 'enr3', userId: 'bob' });
    await challenge(c, 'short', { enrolmentId: 'enr1', ttl: 1000 });
    await c.store.challenges.finalize('a0', { status: 'approved' });
    c.clock.advance(1000); // 'short' has expired: not pending, not counted
    expect(await c.store.challenges.getPause('alice')).toBeNull();
    const r = await c.store.challenges.pauseUser('alice', { until: t0 + 10 * MIN, outcome: { reason: 'suspicious' } });
    expect(r).toEqual({ pausedUntil: t0 + 10 * MIN, cancelled: 129 });
    expect(await c.store.challenges.getPause('alice')).toBe(t0 + 10 * MIN);
    expect(await c.store.challenges.listPending('enr1', { limit: 1000 })).toEqual([]);
    expect(await c.store.challenges.listPending('enr2', { limit: 1000 })).toEqual([]);
    expect(await c.store.challenges.get('a7')).toMatchObject({ status: 'cancelled', finalizedAt: t0 + 1000, outcome: { reason: 'suspicious' } });
    expect(await c.store.challenges.get('a0')).toMatchObject({ status: 'approved' });
    expect(await c.store.challenges.get('short')).toMatchObject({ status: 'expired' });
    expect(await c.store.challenges.get('bob1')).toMatchObject({ status: 'pending' });
    expect(await c.store.challenges.finalize('a9', { status: 'approved' })).toMatchObject({ ok: false, reason: 'already_final', status: 'cancelled' });
    expect(await c.store.challenges.getPause('bob')).toBeNull();
  });

  it('create is refused while the user is paused; the pause only grows; it ends by time or resumeUser', async () => {
    const t0 = c.clock();
    await c.store.challenges.pauseUser('alice', { until: t0 + MIN });
    expect(await c.store.challenges.pauseUser('alice', { until: t0 + 1000 })).toEqual({ pausedUntil: t0 + MIN, cancelled: 0 });
    const input = { id: 'p1', enrolmentId: 'enr1', userId: 'alice', expiresAt: t0 + 2 * MIN };
    expect(await c.store.challenges.create(input)).toEqual({ ok: false, reason: 'paused', pausedUntil: t0 + MIN });
    expect((await challenge(c, 'bob1', { userId: 'bob' })).status).toBe('pending');
    c.clock.advance(MIN);
    expect(await c.store.challenges.getPause('alice')).toBeNull();
    expect(await c.store.challenges.create({ ...input, id: 'p2' })).toMatchObject({ ok: true, challenge: { id: 'p2', status: 'pending' } });
    await c.store.challenges.pauseUser('alice', { until: c.clock() + MIN });
    await c.store.challenges.resumeUser('alice');
    expect(await c.store.challenges.getPause('alice')).toBeNull();
    expect(await c.store.challenges.create({ ...input, id: 'p3', expiresAt: c.clock() + MIN })).toMatchObject({ ok: true });
  });

  it('maxPendingPerUser caps the pending, unexpired challenges of the user across enrolments', async () => {
    const cap = (id: string, enrolmentId: string, ttl = 2 * MIN) =>
      c.store.challenges.create({ id, enrolmentId, userId: 'alice', expiresAt: c.clock() + ttl, maxPendingPerUser: 3 });
    expect(await cap('k1', 'enr1')).toMatchObject({ ok: true });
    expect(await cap('k2', 'enr2', 1000)).toMatchObject({ ok: true });
    expect(await cap('k3', 'enr1')).toMatchObject({ ok: true });
    expect(await cap('k4', 'enr2')).toEqual({ ok: false, reason: 'too_many_pending', pending: 3 });
    expect(await c.store.challenges.get('k4')).toBeNull();
    await c.store.challenges.finalize('k1', { status: 'denied' });
    expect(await cap('k5', 'enr2')).toMatchObject({ ok: true });
    c.clock.advance(1000); // k2 expired
    expect(await cap('k6', 'enr1')).toMatchObject({ ok: true });
    expect(await cap('k7', 'enr1')).toEqual({ ok: false, reason: 'too_many_pending', pending: 3 });
    // Other users are not counted; no cap without the option.
    expect(await c.store.challenges.create({ id: 'b1', enrolmentId: 'enr3', userId: 'bob', expiresAt: c.clock() + MIN, maxPendingPerUser: 1 })).toMatchObject({ ok: true });
    expect((await challenge(c, 'k8')).status).toBe('pending');
  });
}
