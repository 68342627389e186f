import { fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { type AuditEventInput, type MfaStore } from '@cloudmfa/storage';
import { createRedisStore, dropRedisStore } from '@cloudmfa/storage-redis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditAllKey, auditEnrolmentKey, auditMarkerKey, auditUserKey, keyHead } from '../src/_keys.js';
import { countingClient, newClient, uniquePrefix } from './helpers.js';

// audit.append is group-committed: the appends of one event-loop turn are one script call
// (docs/storage-redis.md 3). Each event must come out exactly as if appended alone, in call
// order: ids, the streams it lands in, idempotency keys (a key named twice in one batch), the
// monotonic clock, and a tampered stream failing only its own event.

const T0 = Date.UTC(2026, 0, 1);
const admin = newClient();
let p: string;
let store: MfaStore;
beforeEach(() => {
  p = uniquePrefix('auditbatch');
  store = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0) });
});
afterEach(async () => {
  await store.close();
  await dropRedisStore({ client: admin, keyPrefix: p });
});
afterAll(async () => {
  await admin.quit();
});

describe('redis: appends of one turn share script calls (16 at most each)', () => {
  it('a key named in two script calls of one turn is written once: the second call answers the first one\'s event', async () => {
    const counting = countingClient(admin);
    const batched = createRedisStore({ client: counting.client, keyPrefix: p, clock: fixedClock(T0) });
    const inputs: AuditEventInput[] = Array.from({ length: 17 }, (_, i) => ({
      kind: 'otp.accepted',
      enrolmentId: 'e0',
      userId: 'alice',
      detail: { i },
      ...(i === 0 || i === 16 ? { key: 'shared' } : {}),
    }));
    const out = await Promise.all(inputs.map((e) => batched.audit.append(e)));
    expect(counting.calls.evalsha).toBe(2);
    expect(out[16]).toEqual(out[0]);
    expect(out.slice(0, 16).map((e) => e.id)).toEqual(Array.from({ length: 16 }, (_, i) => `${T0}-${i}`));
    expect(await admin.xlen(auditAllKey(keyHead(p, null)))).toBe(16);
  });

  it('each event as if appended alone, in call order; a key named twice in the batch is written once', async () => {
    const inputs: AuditEventInput[] = Array.from({ length: 40 }, (_, i) => ({
      kind: 'otp.accepted',
      enrolmentId: `e${i % 3}`,
      userId: i % 2 === 0 ? 'alice' : 'bob',
      detail: { i },
      ...(i % 5 === 4 ? { key: `dup${i - 1}` } : i % 5 === 3 ? { key: `dup${i}` } : {}),
    }));
    // A client that counts the script calls the store makes.
    const counting = countingClient(admin);
    const batched = createRedisStore({ client: counting.client, keyPrefix: p, clock: fixedClock(T0) });
    const out = await Promise.all(inputs.map((e) => batched.audit.append(e)));
    // 16 calls per script call at most (docs/storage-redis.md section 3): 16 + 16 + 8.
    expect(counting.calls.evalsha).toBe(3);
    let seq = 0;
    for (const [i, e] of out.entries()) {
      if (i % 5 === 4) {
        // Its key was appended by the call before it in the same batch: that event comes back.
        expect(e).toEqual(out[i - 1]);
        continue;
      }
      expect(e).toEqual({ id: `${T0}-${seq}`, at: T0, kind: 'otp.accepted', enrolmentId: `e${i % 3}`, userId: i % 2 === 0 ? 'alice' : 'bob', detail: { i } });
      seq++;
    }
    expect(await admin.xlen(auditAllKey(keyHead(p, null)))).toBe(32);
    for (const enr of ['e0', 'e1', 'e2']) {
      const want = out.filter((e, i) => i % 5 !== 4 && e.enrolmentId === enr).reverse();
      expect((await store.audit.query({ enrolmentId: enr, limit: 100 })).events, enr).toEqual(want);
    }
    const bob = out.filter((e, i) => i % 5 !== 4 && e.userId === 'bob').reverse();
    expect((await store.audit.query({ userId: 'bob', limit: 100 })).events).toEqual(bob);
  });

  it('a stream ahead of the clock drags the later events of the same batch along (ids keep increasing)', async () => {
    await admin.xadd(auditEnrolmentKey(keyHead(p, null), 'ahead'), `${T0 + 1000}-5`, 'k', 'x', 'e', 'ahead', 'd', '{}');
    const out = await Promise.all([
      store.audit.append({ kind: 'a', enrolmentId: 'other' }),
      store.audit.append({ kind: 'b', enrolmentId: 'ahead' }),
      store.audit.append({ kind: 'c', enrolmentId: 'other' }),
      store.audit.append({ kind: 'd' }),
    ]);
    expect(out.map((e) => e.id)).toEqual([`${T0}-0`, `${T0 + 1000}-6`, `${T0 + 1000}-7`, `${T0 + 1000}-8`]);
    expect(out.map((e) => e.at)).toEqual([T0, T0 + 1000, T0 + 1000, T0 + 1000]);
    expect((await store.audit.query({ enrolmentId: 'other' })).events.map((e) => e.kind)).toEqual(['c', 'a']);
  });

  it('a stream key of another type fails its own event only; nothing of it is written', async () => {
    await admin.set(auditEnrolmentKey(keyHead(p, null), 'bad'), 'not a stream');
    const [bad, good] = await Promise.allSettled([
      store.audit.append({ kind: 'x', enrolmentId: 'bad', key: 'kbad' }),
      store.audit.append({ kind: 'y', enrolmentId: 'good', key: 'kgood' }),
    ]);
    expect(bad.status).toBe('rejected');
    expect(isCloudMfaError((bad as PromiseRejectedResult).reason, 'ERR_STORAGE_CORRUPT')).toBe(true);
    expect(good).toMatchObject({ status: 'fulfilled', value: { id: `${T0}-0`, kind: 'y' } });
    expect((await store.audit.query()).events.map((e) => e.kind)).toEqual(['y']);
    // Its idempotency key was not taken: once the stream is repaired, the same append lands.
    await admin.del(auditEnrolmentKey(keyHead(p, null), 'bad'));
    expect(await store.audit.append({ kind: 'x', enrolmentId: 'bad', key: 'kbad' })).toMatchObject({ id: `${T0}-1`, kind: 'x' });
  });

  it('an XADD Redis refuses (a stream\'s last id above its newest entry) fails its own event only; nothing of it is written', async () => {
    const all = auditAllKey(keyHead(p, null));
    await store.audit.append({ kind: 'seed' });
    const gone = await store.audit.append({ kind: 'seed' });
    await admin.xdel(all, gone.id); // the all stream's last id stays T0-1
    const [alone] = await Promise.allSettled([store.audit.append({ kind: 'x', enrolmentId: 'e1', userId: 'alice', key: 'k1' })]);
    expect(alone!.status).toBe('rejected');
    expect(isCloudMfaError((alone as PromiseRejectedResult).reason, 'ERR_STORAGE_CORRUPT')).toBe(true);
    expect((await admin.xrange(all, '-', '+')).map(([id]) => id)).toEqual([`${T0}-0`]);
    expect(await admin.exists(auditEnrolmentKey(keyHead(p, null), 'e1'), auditUserKey(keyHead(p, null), 'alice'), auditMarkerKey(keyHead(p, null), 'k1'))).toBe(0);

    // A user stream whose last id was set ahead: the batch's other events are appended.
    await admin.xadd(all, `${T0 + 1}-0`, 'k', 'seed', 'd', '{}');
    const bob = auditUserKey(keyHead(p, null), 'bob');
    await admin.xadd(bob, `${T0 - 10}-0`, 'k', 'x', 'u', 'bob', 'd', '{}');
    await admin.call('XSETID', bob, `${T0 + 100}-0`);
    const out = await Promise.allSettled([
      store.audit.append({ kind: 'a', enrolmentId: 'e1', userId: 'alice', key: 'ka' }),
      store.audit.append({ kind: 'b', enrolmentId: 'e1', userId: 'bob', key: 'kb' }),
      store.audit.append({ kind: 'c', enrolmentId: 'e1', userId: 'alice', key: 'kc' }),
    ]);
    expect(out[0]).toMatchObject({ status: 'fulfilled', value: { id: `${T0 + 1}-1`, kind: 'a' } });
    expect(out[1]!.status).toBe('rejected');
    expect(isCloudMfaError((out[1] as PromiseRejectedResult).reason, 'ERR_STORAGE_CORRUPT')).toBe(true);
    expect(out[2]).toMatchObject({ status: 'fulfilled', value: { id: `${T0 + 1}-3`, kind: 'c' } });
    expect((await store.audit.query({ enrolmentId: 'e1' })).events.map((e) => e.kind)).toEqual(['c', 'a']);
    expect((await admin.xrange(bob, '-', '+')).map(([id]) => id)).toEqual([`${T0 - 10}-0`]);
    expect(await admin.exists(auditMarkerKey(keyHead(p, null), 'kb'))).toBe(0);
    expect(await admin.xlen(all)).toBe(4);
  });

  it('auditRetentionMs 0: each append lands (its idempotency key kept 1 ms, never PX 0), older events are trimmed', async () => {
    const s = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0), auditRetentionMs: 0 });
    try {
      await admin.xadd(auditAllKey(keyHead(p, null)), `${T0 - 1}-0`, 'k', 'old', 'd', '{}');
      const out = await Promise.all([s.audit.append({ kind: 'a', key: 'ka' }), s.audit.append({ kind: 'b', key: 'kb' })]);
      expect(out.map((e) => e.id)).toEqual([`${T0}-0`, `${T0}-1`]);
      expect((await admin.xrange(auditAllKey(keyHead(p, null)), '-', '+')).map(([id]) => id)).toEqual([`${T0}-0`, `${T0}-1`]);
    } finally {
      await s.close();
    }
  });
});
