import { fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { type MfaStore } from '@cloudmfa/storage';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditAllKey, auditEnrolmentKey, auditMarkerKey, auditUserKey, keyHead, outboxKey } from '../src/_keys.js';
import { countingClient, newClient, uniquePrefix } from './helpers.js';
import { startPrivateRedis } from './privateRedis.js';

// With singleServer, consume given this store's own audit log appends the accepted entry in
// its own script (docs/storage-redis.md 3.3): exactly as audit.append with the entry's key
// would, batched like every consume, and never a step spent without its event. By default, and
// on the cluster (cluster.test.ts), the outbox is kept.

const T0 = Date.UTC(2026, 0, 1);
const admin = newClient();
let p: string;
let store: MfaStore;
beforeEach(() => {
  p = uniquePrefix('direct');
  store = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0), singleServer: true });
});
afterEach(async () => {
  await store.close();
  await dropRedisStore({ client: admin, keyPrefix: p });
});
afterAll(async () => {
  await admin.quit();
});

const entry = (key: string, enrolmentId: string, step: number) => ({ key, kind: 'otp.accepted', enrolmentId, userId: 'alice', detail: { step } });

describe('redis single server: consume logs the entry in its own script', () => {
  it('the consumes of one turn are one script call; each accepted one is logged as append would, refused ones log nothing', async () => {
    const counting = countingClient(admin);
    const s = createRedisStore({ client: counting.client, keyPrefix: p, clock: fixedClock(T0), singleServer: true });
    try {
      const calls = [
        s.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: s.audit }),
        s.guard.consume('e1', 5, { audit: entry('k1b', 'e1', 5), auditLog: s.audit }), // replayed: nothing logged
        s.guard.consume('e2', 7, { drift: 1, audit: entry('k2', 'e2', 7), auditLog: s.audit }),
        s.guard.consume('e1', 6, { audit: entry('k1', 'e1', 6), auditLog: s.audit }), // key k1 is in the log: the stored event
      ];
      const out = await Promise.all(calls);
      expect(counting.calls.evalsha).toBe(1);
      const first = { id: `${T0}-0`, at: T0, kind: 'otp.accepted', enrolmentId: 'e1', userId: 'alice', detail: { step: 5 } };
      expect(out[0]).toEqual({ ok: true, state: { enrolmentId: 'e1', lastStep: 5, failures: 0, lockedUntil: null, drift: null, lastUsedAt: T0 }, logged: first });
      expect(out[1]).toEqual({ ok: false, reason: 'replayed', lastStep: 5 });
      expect(out[2]).toMatchObject({ ok: true, state: { drift: 1 }, logged: { id: `${T0}-1`, enrolmentId: 'e2', detail: { step: 7 } } });
      expect(out[3]).toMatchObject({ ok: true, state: { lastStep: 6 }, logged: first });
      expect(await admin.xlen(auditAllKey(keyHead(p, null)))).toBe(2);
      expect((await s.audit.query({ enrolmentId: 'e1' })).events).toEqual([first]);
      expect((await s.audit.query({ userId: 'alice' })).events.map((e) => e.id)).toEqual([`${T0}-1`, `${T0}-0`]);
      expect(await admin.get(auditMarkerKey(keyHead(p, null), 'k2'))).toBe(`${T0}-1`);
      expect(await s.guard.listPendingAudit()).toEqual([]);
      expect(await admin.exists(outboxKey(keyHead(p, null), 'e1'), outboxKey(keyHead(p, null), 'e2'))).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('shares the stream ids with audit.append: a stream ahead of the clock drags the entry along', async () => {
    await admin.xadd(auditEnrolmentKey(keyHead(p, null), 'e1'), `${T0 + 1000}-5`, 'k', 'x', 'e', 'e1', 'd', '{}');
    const appended = await store.audit.append({ kind: 'a', enrolmentId: 'e1' });
    const consumed = await store.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: store.audit });
    expect(appended.id).toBe(`${T0 + 1000}-6`);
    expect(consumed).toMatchObject({ ok: true, logged: { id: `${T0 + 1000}-7`, at: T0 + 1000 } });
  });

  it('a user stream ahead of the all stream (written around the adapter) drags the entry along', async () => {
    await store.audit.append({ kind: 'a' });
    await admin.xadd(auditUserKey(keyHead(p, null), 'alice'), `${T0 + 500}-2`, 'k', 'x', 'u', 'alice', 'd', '{}');
    const consumed = await store.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: store.audit });
    expect(consumed).toMatchObject({ ok: true, logged: { id: `${T0 + 500}-3`, at: T0 + 500 } });
  });

  it('trims by the audit retention as append does', async () => {
    const s = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0), auditRetentionMs: 1000, singleServer: true });
    try {
      await admin.xadd(auditAllKey(keyHead(p, null)), `${T0 - 2000}-0`, 'k', 'old', 'd', '{}');
      await s.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: s.audit });
      expect((await admin.xrange(auditAllKey(keyHead(p, null)), '-', '+')).map(([id]) => id)).toEqual([`${T0}-0`]);
      expect(await admin.pttl(auditMarkerKey(keyHead(p, null), 'k1'))).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });

  it.each([
    ['an empty log', 0],
    ['a log with events (the enrolment and user streams are asked above its newest)', 1],
  ])('a marker or stream key of another type, %s: that step is not consumed and nothing of it is written; the rest of the batch is applied', async (_, before) => {
    const MARKER = 'not ours';
    for (let i = 0; i < before; i++) await store.audit.append({ kind: 'seed' });
    await admin.set(auditEnrolmentKey(keyHead(p, null), 'bad'), MARKER);
    await admin.hset(auditMarkerKey(keyHead(p, null), 'kbad2'), 'x', MARKER);
    const out = await Promise.allSettled([
      store.guard.consume('bad', 5, { audit: entry('kbad', 'bad', 5), auditLog: store.audit }),
      store.guard.consume('bad2', 5, { audit: entry('kbad2', 'bad2', 5), auditLog: store.audit }),
      store.guard.consume('good', 5, { audit: entry('kgood', 'good', 5), auditLog: store.audit }),
    ]);
    for (const r of out.slice(0, 2)) {
      expect(r.status).toBe('rejected');
      expect(isCloudMfaError((r as PromiseRejectedResult).reason, 'ERR_STORAGE_CORRUPT')).toBe(true);
    }
    expect(out[2]).toMatchObject({ status: 'fulfilled', value: { ok: true, logged: { id: `${T0}-${before}`, enrolmentId: 'good' } } });
    expect(await store.guard.get('bad')).toBeNull();
    expect(await store.guard.get('bad2')).toBeNull();
    expect(await admin.exists(auditMarkerKey(keyHead(p, null), 'kbad'))).toBe(0);
    expect(await admin.xlen(auditAllKey(keyHead(p, null)))).toBe(before + 1);
    expect(await store.guard.listPendingAudit()).toEqual([]);
  });

  it('another log (not this store own, by identity) keeps the outbox', async () => {
    const wrapper = { ...store.audit };
    const r = await store.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: wrapper });
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.logged).toBeFalsy();
    expect((await store.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k1']);
    expect(await admin.exists(auditAllKey(keyHead(p, null)))).toBe(0);
  });
});

describe('redis single server: a write Redis refuses consumes nothing and writes nothing of its entry', () => {
  const all = () => auditAllKey(keyHead(p, null));
  const ids = async (key: string) => (await admin.xrange(key, '-', '+')).map(([id]) => id);
  const expectCorrupt = (r: PromiseSettledResult<unknown>) => {
    expect(r.status).toBe('rejected');
    expect(isCloudMfaError((r as PromiseRejectedResult).reason, 'ERR_STORAGE_CORRUPT'), String((r as PromiseRejectedResult).reason)).toBe(true);
  };

  it('the all stream\'s newest entry deleted (its last id is above what remains): that consume answers corrupt, its step stays unspent', async () => {
    await store.audit.append({ kind: 'seed' });
    const gone = await store.audit.append({ kind: 'seed' });
    await admin.xdel(all(), gone.id); // Redis refuses T0-1 again: it is the stream's last id
    const [r] = await Promise.allSettled([store.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: store.audit })]);
    expectCorrupt(r!);
    expect(await store.guard.get('e1')).toBeNull();
    expect(await ids(all())).toEqual([`${T0}-0`]);
    expect(await admin.exists(auditEnrolmentKey(keyHead(p, null), 'e1'), auditUserKey(keyHead(p, null), 'alice'), auditMarkerKey(keyHead(p, null), 'k1'))).toBe(0);
    expect(await store.guard.listPendingAudit()).toEqual([]);
    // A later millisecond is above it: the step is accepted and logged.
    const later = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0 + 1), singleServer: true });
    try {
      expect(await later.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: later.audit })).toMatchObject({ ok: true, logged: { id: `${T0 + 1}-0` } });
    } finally {
      await later.close();
    }
  });

  it('a user stream whose last id was set ahead (XSETID): the entries already added are deleted again; the rest of the batch is applied', async () => {
    const bobStream = auditUserKey(keyHead(p, null), 'bob');
    await admin.xadd(bobStream, `${T0 - 10}-0`, 'k', 'x', 'u', 'bob', 'd', '{}');
    await admin.call('XSETID', bobStream, `${T0 + 100}-0`);
    const out = await Promise.allSettled([
      store.guard.consume('e0', 5, { audit: entry('k0', 'e0', 5), auditLog: store.audit }),
      store.guard.consume('e1', 5, { audit: { ...entry('k1', 'e1', 5), userId: 'bob' }, auditLog: store.audit }),
      store.guard.consume('e2', 5, { audit: entry('k2', 'e2', 5), auditLog: store.audit }),
    ]);
    expect(out[0]).toMatchObject({ status: 'fulfilled', value: { ok: true, logged: { id: `${T0}-0`, enrolmentId: 'e0' } } });
    expectCorrupt(out[1]!);
    // e1's id was taken (and given back) in the all stream: the next entry goes above it.
    expect(out[2]).toMatchObject({ status: 'fulfilled', value: { ok: true, logged: { id: `${T0}-2`, enrolmentId: 'e2' } } });
    expect(await store.guard.get('e1')).toBeNull();
    expect((await store.guard.get('e2'))?.lastStep).toBe(5);
    expect(await ids(all())).toEqual([`${T0}-0`, `${T0}-2`]);
    expect(await admin.xlen(auditEnrolmentKey(keyHead(p, null), 'e1'))).toBe(0);
    expect(await ids(bobStream)).toEqual([`${T0 - 10}-0`]);
    expect(await admin.exists(auditMarkerKey(keyHead(p, null), 'k1'))).toBe(0);
    expect((await store.audit.query({ userId: 'alice' })).events.map((e) => e.enrolmentId)).toEqual(['e2', 'e0']);
  });

  it('auditRetentionMs 0: the entry is logged (its idempotency key kept 1 ms, never PX 0) and older events trimmed', async () => {
    const s = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0), auditRetentionMs: 0, singleServer: true });
    try {
      await admin.xadd(all(), `${T0 - 1}-0`, 'k', 'old', 'd', '{}');
      const out = await Promise.all([
        s.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: s.audit }),
        s.guard.consume('e2', 5, { audit: entry('k2', 'e2', 5), auditLog: s.audit }),
      ]);
      expect(out).toMatchObject([
        { ok: true, logged: { id: `${T0}-0`, enrolmentId: 'e1' } },
        { ok: true, logged: { id: `${T0}-1`, enrolmentId: 'e2' } },
      ]);
      expect(await ids(all())).toEqual([`${T0}-0`, `${T0}-1`]);
      expect((await s.guard.get('e1'))?.lastStep).toBe(5);
    } finally {
      await s.close();
    }
  });

  it('a known key whose stored event cannot be read back (read failed, or trimmed): the answer is the event under its id, never an error', async () => {
    const first = await store.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: store.audit });
    expect(first).toMatchObject({ ok: true, logged: { id: `${T0}-0` } });
    const failing = new Proxy(admin, {
      get(target, key) {
        if (key === 'xrange') return () => Promise.reject(new Error('connection lost'));
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const s = createRedisStore({ client: failing, keyPrefix: p, clock: fixedClock(T0), singleServer: true });
    try {
      const again = await s.guard.consume('e1', 6, { audit: entry('k1', 'e1', 6), auditLog: s.audit });
      expect(again).toEqual({
        ok: true,
        state: { enrolmentId: 'e1', lastStep: 6, failures: 0, lockedUntil: null, drift: null, lastUsedAt: T0 },
        logged: { id: `${T0}-0`, at: T0, kind: 'otp.accepted', enrolmentId: 'e1', userId: 'alice', detail: { step: 6 } },
      });
    } finally {
      await s.close();
    }
    await admin.xdel(all(), `${T0}-0`);
    expect(await store.guard.consume('e1', 7, { audit: entry('k1', 'e1', 7), auditLog: store.audit })).toMatchObject({
      ok: true,
      logged: { id: `${T0}-0`, detail: { step: 7 } },
    });
  });
});

describe('redis single server: out of memory', () => {
  it('a server over maxmemory refuses the consume whole (ERR_STORAGE_UNAVAILABLE): nothing consumed, nothing logged', async () => {
    const server = await startPrivateRedis();
    const client = new Redis({ host: '127.0.0.1', port: server.port, ...RECOMMENDED_REDIS_OPTIONS });
    const s = createRedisStore({ client, keyPrefix: 'cmfa-test:oom:', clock: fixedClock(T0), singleServer: true, closeClient: true });
    try {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
      await client.config('SET', 'maxmemory', '1');
      const out = await Promise.allSettled([
        s.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: s.audit }),
        s.audit.append({ kind: 'a', key: 'ka' }),
      ]);
      for (const r of out) {
        expect(r.status).toBe('rejected');
        expect(isCloudMfaError((r as PromiseRejectedResult).reason, 'ERR_STORAGE_UNAVAILABLE'), String((r as PromiseRejectedResult).reason)).toBe(true);
      }
      await client.config('SET', 'maxmemory', '0');
      expect(await client.dbsize()).toBe(0);
    } finally {
      await s.close();
      await server.stop();
    }
  });
});

describe('redis: without singleServer the accepted entry keeps the outbox', () => {
  it('consume given the store\'s own log answers without logged and leaves the entry in the outbox', async () => {
    const s = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0) });
    try {
      const r = await s.guard.consume('e1', 5, { audit: entry('k1', 'e1', 5), auditLog: s.audit });
      expect(r).toMatchObject({ ok: true });
      expect(r.ok && 'logged' in r).toBe(false);
      expect((await s.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k1']);
      expect(await admin.exists(auditAllKey(keyHead(p, null)))).toBe(0);
    } finally {
      await s.close();
    }
  });
});
