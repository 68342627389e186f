import { fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { createRedisStore, dropRedisStore } from '@cloudmfa/storage-redis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrolmentKey, keyHead, outboxKey } from '../src/_keys.js';
import { countingClient, newClient, uniquePrefix } from './helpers.js';

// enrolments.get and guard.settleAudit are group-committed too (docs/storage-redis.md 3): the
// calls of one turn in one slot are one script; a call alone in its slot is the plain command.
// Either way each call answers exactly what it would alone.

const T0 = Date.UTC(2026, 0, 1);
const SECRET = Uint8Array.from({ length: 20 }, (_, i) => i * 7);
const admin = newClient();
let p: string;
beforeEach(() => {
  p = uniquePrefix('readbatch');
});
afterEach(async () => {
  await dropRedisStore({ client: admin, keyPrefix: p });
});
afterAll(async () => {
  await admin.quit();
});

const corrupt = (r: PromiseSettledResult<unknown>) => r.status === 'rejected' && isCloudMfaError(r.reason, 'ERR_STORAGE_CORRUPT');

describe('redis: batched reads and settles', () => {
  it('enrolments.get: one script for the reads of one turn, each as a lone read; a key of another type fails alone', async () => {
    const seed = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0) });
    for (const id of ['e1', 'e2']) await seed.enrolments.create({ id, userId: `u-${id}`, secret: SECRET, meta: { id }, expiresAt: T0 + 60_000 });
    await seed.enrolments.redeem('e2');
    await admin.set(enrolmentKey(keyHead(p, null), 'bad'), 'x');
    const alone = [await seed.enrolments.get('e1'), await seed.enrolments.get('e2')];
    expect(alone[1]).toMatchObject({ id: 'e2', status: 'active', meta: { id: 'e2' }, secret: SECRET });

    const c = countingClient(admin);
    const store = createRedisStore({ client: c.client, keyPrefix: p, clock: fixedClock(T0) });
    const r = await Promise.allSettled(['e1', 'missing', 'e2', 'bad', 'e1'].map((id) => store.enrolments.get(id)));
    expect(c.calls).toEqual({ evalsha: 1, hgetall: 0, hdel: 0 });
    expect(r.map((x) => (x.status === 'fulfilled' ? x.value : 'rejected'))).toEqual([alone[0], null, alone[1], 'rejected', alone[0]]);
    expect(corrupt(r[3]!)).toBe(true);
    // A lone read is the plain command.
    expect(await store.enrolments.get('e2')).toEqual(alone[1]);
    expect(c.calls).toEqual({ evalsha: 1, hgetall: 1, hdel: 0 });
  });

  it('guard.settleAudit: one script for the settles of one turn; a missing entry is fine, an outbox of another type fails alone', async () => {
    const c = countingClient(admin);
    const store = createRedisStore({ client: c.client, keyPrefix: p, clock: fixedClock(T0) });
    for (const [i, id] of ['e1', 'e2', 'e3'].entries()) {
      await store.guard.consume(id, 10, { audit: { key: `k${i}`, kind: 'otp.accepted', enrolmentId: id, userId: null } });
    }
    await admin.set(outboxKey(keyHead(p, null), 'bad'), 'x');
    const before = { ...c.calls };
    const r = await Promise.allSettled([
      store.guard.settleAudit({ key: 'k0', enrolmentId: 'e1' }),
      store.guard.settleAudit({ key: 'nope', enrolmentId: 'e2' }),
      store.guard.settleAudit({ key: 'k', enrolmentId: 'bad' }),
      store.guard.settleAudit({ key: 'k2', enrolmentId: 'e3' }),
    ]);
    expect(c.calls.evalsha - before.evalsha).toBe(1);
    expect(c.calls.hdel).toBe(0);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(corrupt(r[2]!)).toBe(true);
    expect(await admin.get(outboxKey(keyHead(p, null), 'bad'))).toBe('x');
    await admin.del(outboxKey(keyHead(p, null), 'bad'));
    expect((await store.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k1']);
    // A lone settle is the plain HDEL.
    await store.guard.settleAudit({ key: 'k1', enrolmentId: 'e2' });
    expect(c.calls.hdel).toBe(1);
    expect(await store.guard.listPendingAudit()).toEqual([]);
  });
});
