import { expect, it } from 'vitest';
import { STORAGE_LIMITS } from '../limits.js';
import type { JsonObject } from '../types.js';
import { type Ctx, expectCode, enrol, challenge, jsonOfBytes, MIN } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// limits

export function limitTests(c: Ctx): void {
  it('accepts every value at its maximum size and refuses one more', async () => {
    const id = 'I'.repeat(STORAGE_LIMITS.idLength);
    // 128 astral characters are 256 UTF-16 code units: the limit counts units.
    const userId = '😀'.repeat(STORAGE_LIMITS.userIdLength / 2);
    const secret = new Uint8Array(STORAGE_LIMITS.secretBytes).fill(0xa5);
    const meta = jsonOfBytes(STORAGE_LIMITS.metaBytes, 'é');
    const created = await c.store.enrolments.create({ id, userId, secret, meta, expiresAt: STORAGE_LIMITS.maxTime });
    expect(created).toMatchObject({ id, userId, secret, meta, expiresAt: STORAGE_LIMITS.maxTime });
    expect(await c.store.enrolments.get(id)).toEqual(created);
    expect((await c.store.enrolments.listByUser(userId)).length).toBe(1);

    await expectCode(() => c.store.enrolments.create({ id: `${id}x`, userId, secret, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.create({ id: 'e2', userId: `${userId}x`, secret, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
    await expectCode(
      () => c.store.enrolments.create({ id: 'e2', userId, secret: new Uint8Array(STORAGE_LIMITS.secretBytes + 1), expiresAt: c.clock() + MIN }),
      'ERR_STORAGE_INVALID',
    );
    await expectCode(
      () => c.store.enrolments.create({ id: 'e2', userId, secret, meta: jsonOfBytes(STORAGE_LIMITS.metaBytes + 1, 'é'), expiresAt: c.clock() + MIN }),
      'ERR_STORAGE_INVALID',
    );
    expect(await c.store.enrolments.get('e2')).toBeNull();
  });

  it('accepts challenge meta, outcome and audit detail at their maximum', async () => {
    const meta = jsonOfBytes(STORAGE_LIMITS.metaBytes, '€');
    const outcome = jsonOfBytes(STORAGE_LIMITS.outcomeBytes, '🚀');
    const detail = jsonOfBytes(STORAGE_LIMITS.detailBytes);
    await challenge(c, 'c1', { meta });
    expect((await c.store.challenges.get('c1'))?.meta).toEqual(meta);
    await expectCode(() => c.store.challenges.finalize('c1', { status: 'approved', outcome: jsonOfBytes(STORAGE_LIMITS.outcomeBytes + 1) }), 'ERR_STORAGE_INVALID');
    expect(await c.store.challenges.finalize('c1', { status: 'approved', outcome })).toMatchObject({ ok: true, challenge: { outcome } });
    await expectCode(() => challenge(c, 'c2', { meta: jsonOfBytes(STORAGE_LIMITS.metaBytes + 1, '€') }), 'ERR_STORAGE_INVALID');
    const kind = `a${'b'.repeat(STORAGE_LIMITS.kindLength - 1)}`;
    const e = await c.store.audit.append({ kind, detail });
    expect(e).toMatchObject({ kind, detail });
    expect((await c.store.audit.query()).events[0]).toEqual(e);
    await expectCode(() => c.store.audit.append({ kind: 'x', detail: jsonOfBytes(STORAGE_LIMITS.detailBytes + 1) }), 'ERR_STORAGE_INVALID');
  });

  it('accepts JSON nested to the maximum depth and refuses one deeper', async () => {
    const nest = (d: number): JsonObject => (d === 0 ? {} : { n: nest(d - 1) });
    // The top-level object is depth 0; its values are at depth 1.
    await enrol(c, 'd1', { meta: nest(STORAGE_LIMITS.jsonDepth) });
    expect((await c.store.enrolments.get('d1'))?.meta).toEqual(nest(STORAGE_LIMITS.jsonDepth));
    await expectCode(() => enrol(c, 'd2', { meta: nest(STORAGE_LIMITS.jsonDepth + 1) }), 'ERR_STORAGE_INVALID');
  });

  it('returns up to the maximum list size', async () => {
    for (let i = 0; i < 30; i++) await enrol(c, `m${String(i).padStart(2, '0')}`, { userId: 'many' });
    expect((await c.store.enrolments.listByUser('many', { limit: STORAGE_LIMITS.maxLimit })).length).toBe(30);
    expect((await c.store.enrolments.listByUser('many', { limit: 1 })).map((e) => e.id)).toEqual(['m00']);
    expect((await c.store.enrolments.listByUser('many')).length).toBe(30);
  });
}
