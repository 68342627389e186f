import { expect, it } from 'vitest';
import { type Ctx, expectCode, enrol, SECRET, MIN } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// enrolments

export function enrolmentTests(c: Ctx): void {
  it('creates a pending enrolment and reads it back', async () => {
    const t0 = c.clock();
    const created = await enrol(c, 'enr1', { meta: { label: 'Alice', n: 1, nested: { ok: true, list: [1, 'two', null] } } });
    expect(created).toEqual({
      id: 'enr1',
      userId: 'alice',
      status: 'pending',
      secret: SECRET,
      meta: { label: 'Alice', n: 1, nested: { ok: true, list: [1, 'two', null] } },
      createdAt: t0,
      expiresAt: t0 + 5 * MIN,
      activatedAt: null,
      revokedAt: null,
      version: 1,
    });
    expect(created.secret).toBeInstanceOf(Uint8Array);
    const read = await c.store.enrolments.get('enr1');
    expect(read).toEqual(created);
    expect(await c.store.enrolments.get('nope')).toBeNull();
  });

  it('defaults meta to {} and returns copies that do not alias the store', async () => {
    const secret = SECRET.slice();
    const created = await c.store.enrolments.create({ id: 'enr1', userId: 'alice', secret, expiresAt: c.clock() + MIN });
    expect(created.meta).toEqual({});
    secret[0] = 0xff;
    created.secret[1] = 0xff;
    (created.meta as Record<string, unknown>).x = 1;
    const read = await c.store.enrolments.get('enr1');
    expect(read?.secret).toEqual(SECRET);
    expect(read?.meta).toEqual({});
  });

  it('refuses a duplicate id with ERR_STORAGE_CONFLICT and keeps the original', async () => {
    await enrol(c, 'enr1', { userId: 'alice' });
    await expectCode(() => enrol(c, 'enr1', { userId: 'mallory', secret: new Uint8Array([9]) }), 'ERR_STORAGE_CONFLICT');
    const read = await c.store.enrolments.get('enr1');
    expect(read?.userId).toBe('alice');
    expect(read?.secret).toEqual(SECRET);
  });

  it('redeems a pending enrolment once, replacing secret and meta when given', async () => {
    await enrol(c, 'enr1');
    c.clock.advance(1000);
    const newSecret = new Uint8Array([7, 7, 7]);
    const r = await c.store.enrolments.redeem('enr1', { secret: newSecret, meta: { device: 'pixel' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.enrolment.status).toBe('active');
    expect(r.enrolment.activatedAt).toBe(c.clock());
    expect(r.enrolment.secret).toEqual(newSecret);
    expect(r.enrolment.meta).toEqual({ device: 'pixel' });
    expect(r.enrolment.version).toBe(2);
    expect(await c.store.enrolments.get('enr1')).toEqual(r.enrolment);

    const again = await c.store.enrolments.redeem('enr1');
    expect(again).toMatchObject({ ok: false, reason: 'already_active' });
    if (!again.ok && again.reason !== 'not_found') {
      expect(again.enrolment.status).toBe('active');
      expect(again.enrolment.id).toBe('enr1');
      // A failed redemption never hands the secret back.
      expect(again.enrolment.secret.length).toBe(0);
    }
    expect((await c.store.enrolments.get('enr1'))?.version).toBe(2);
  });

  it('redeems without changes keeping secret and meta', async () => {
    await enrol(c, 'enr1', { meta: { a: 1 } });
    const r = await c.store.enrolments.redeem('enr1');
    expect(r).toMatchObject({ ok: true, enrolment: { status: 'active', meta: { a: 1 }, secret: SECRET } });
  });

  it('refuses a late redemption as expired, using the injected clock (boundary: expiresAt is already late)', async () => {
    await enrol(c, 'early', { ttl: 5 * MIN });
    await enrol(c, 'late', { ttl: 5 * MIN });
    c.clock.advance(5 * MIN - 1);
    expect((await c.store.enrolments.redeem('early')).ok).toBe(true);
    c.clock.advance(1);
    const r = await c.store.enrolments.redeem('late');
    expect(r).toMatchObject({ ok: false, reason: 'expired', enrolment: { id: 'late', status: 'pending' } });
    // Still pending: an expired enrolment is not silently changed.
    expect((await c.store.enrolments.get('late'))?.status).toBe('pending');
    expect((await c.store.enrolments.get('late'))?.version).toBe(1);
  });

  it('reports already_active before expired for a redeemed enrolment read after its expiry', async () => {
    await enrol(c, 'enr1', { ttl: MIN });
    await c.store.enrolments.redeem('enr1');
    c.clock.advance(10 * MIN);
    expect(await c.store.enrolments.redeem('enr1')).toMatchObject({ ok: false, reason: 'already_active' });
  });

  it('reports not_found for an unknown enrolment', async () => {
    expect(await c.store.enrolments.redeem('ghost')).toEqual({ ok: false, reason: 'not_found' });
    expect(await c.store.enrolments.revoke('ghost')).toEqual({ ok: false, reason: 'not_found' });
    expect(await c.store.enrolments.update('ghost', { meta: {} })).toEqual({ ok: false, reason: 'not_found' });
  });

  it('revokes a pending enrolment, wipes its secret, and refuses to redeem it', async () => {
    await enrol(c, 'enr1');
    c.clock.advance(500);
    const r = await c.store.enrolments.revoke('enr1');
    expect(r).toMatchObject({ ok: true, enrolment: { status: 'revoked', revokedAt: c.clock(), activatedAt: null, version: 2 } });
    const read = await c.store.enrolments.get('enr1');
    expect(read?.status).toBe('revoked');
    expect(read?.secret.length).toBe(0);
    expect(await c.store.enrolments.redeem('enr1')).toMatchObject({ ok: false, reason: 'revoked' });
    expect(await c.store.enrolments.revoke('enr1')).toEqual({ ok: false, reason: 'already_revoked' });
  });

  it('revokes an active enrolment', async () => {
    await enrol(c, 'enr1');
    await c.store.enrolments.redeem('enr1');
    c.clock.advance(MIN);
    const r = await c.store.enrolments.revoke('enr1');
    expect(r).toMatchObject({ ok: true, enrolment: { status: 'revoked', revokedAt: c.clock(), version: 3 } });
    expect((await c.store.enrolments.get('enr1'))?.activatedAt).toBe(c.clock() - MIN);
  });

  it('updates secret and meta, with an optional compare-and-set on version', async () => {
    await enrol(c, 'enr1');
    const u1 = await c.store.enrolments.update('enr1', { meta: { pushToken: 't1' } });
    expect(u1).toMatchObject({ ok: true, enrolment: { version: 2, meta: { pushToken: 't1' }, secret: SECRET, status: 'pending' } });
    const rotated = new Uint8Array(48).fill(3);
    const u2 = await c.store.enrolments.update('enr1', { secret: rotated, expectedVersion: 2 });
    expect(u2).toMatchObject({ ok: true, enrolment: { version: 3, secret: rotated, meta: { pushToken: 't1' } } });
    expect(await c.store.enrolments.update('enr1', { meta: {}, expectedVersion: 2 })).toEqual({ ok: false, reason: 'version_mismatch' });
    expect((await c.store.enrolments.get('enr1'))?.version).toBe(3);
    await c.store.enrolments.revoke('enr1');
    expect(await c.store.enrolments.update('enr1', { secret: rotated })).toEqual({ ok: false, reason: 'revoked' });
    expect((await c.store.enrolments.get('enr1'))?.secret.length).toBe(0);
  });

  it('lists a user’s enrolments oldest first (createdAt, then id), with a limit', async () => {
    await enrol(c, 'b-second', { userId: 'alice' });
    await enrol(c, 'a-first', { userId: 'alice' });
    await enrol(c, 'other', { userId: 'bob' });
    c.clock.advance(1000);
    await enrol(c, 'a-third', { userId: 'alice' });
    const list = await c.store.enrolments.listByUser('alice');
    expect(list.map((e) => e.id)).toEqual(['a-first', 'b-second', 'a-third']);
    expect(list[0]?.secret).toEqual(SECRET);
    expect((await c.store.enrolments.listByUser('alice', { limit: 2 })).map((e) => e.id)).toEqual(['a-first', 'b-second']);
    expect(await c.store.enrolments.listByUser('carol')).toEqual([]);
  });
}
