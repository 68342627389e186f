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
}
