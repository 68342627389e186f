import { fixedClock } from '@cloudmfa/core';
import { type ThrottlePolicy } from '@cloudmfa/storage';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { guardKey, keyHead, outboxKey } from '../src/_keys.js';
import { GUARD_CONSUME, GUARD_COUNT } from '../src/_scripts.js';
import { newClient, rawSnapshot, uniquePrefix } from './helpers.js';
import { startPrivateRedis } from './privateRedis.js';

// guard.attempt on Redis (docs/storage.md section 5): one script with recordFailure
// (GUARD_COUNT), so an unlocked attempt writes byte for byte what recordFailure writes,
// forgotten guards and their `e` field / PEXPIRE included, and a locked one writes nothing.

const T0 = Date.UTC(2026, 0, 1);
const admin = newClient();
afterAll(async () => {
  await admin.quit();
});

/** A TTL no write of the adapter sets in these tests (its TTLs stay below 10^8 ms here). */
const MARKER_TTL = 3_600_000_000;

type Seed = Partial<Record<'l' | 'f' | 'k' | 'd' | 't' | 'e', string>> | null;

async function seed(prefix: string, id: string, fields: Seed): Promise<void> {
  if (fields === null) return;
  const key = guardKey(keyHead(prefix, null), id);
  await admin.hset(key, { f: '0', ...fields });
  if (fields.e !== undefined) await admin.pexpire(key, MARKER_TTL);
}

describe('redis: guard.attempt', () => {
  it('equals recordFailure when not locked and writes nothing when locked (random stored states, fast-check seed 7)', async () => {
    const time = fc.integer({ min: -5_000_000, max: 5_000_000 }).map((d) => T0 + d);
    const stored: fc.Arbitrary<Seed> = fc.option(
      fc.record(
        {
          l: fc.integer({ min: 0, max: 1000 }).map(String),
          f: fc.integer({ min: 0, max: 30 }).map(String),
          k: time.map(String),
          d: fc.integer({ min: -3, max: 3 }).map(String),
          t: time.map(String),
          e: time.map(String),
        },
        { requiredKeys: [] },
      ),
      { nil: null },
    );
    const policy: fc.Arbitrary<ThrottlePolicy> = fc
      .record({
        freeFailures: fc.integer({ min: 0, max: 5 }),
        extra: fc.integer({ min: 1, max: 10 }),
        baseDelayMs: fc.integer({ min: 0, max: 100_000 }),
        maxDelayMs: fc.integer({ min: 0, max: 1_000_000 }),
        lockoutMs: fc.integer({ min: 0, max: 1_000_000 }),
        // At least a minute: the TTL read back below cannot run out while the test reads it.
        forgetAfterMs: fc.option(fc.integer({ min: 60_000, max: 10_000_000 }), { nil: undefined }),
      })
      .map(({ freeFailures, extra, forgetAfterMs, ...rest }) => ({
        ...rest,
        freeFailures,
        lockoutFailures: freeFailures + extra,
        ...(forgetAfterMs === undefined ? {} : { forgetAfterMs }),
      }));
    let locked = 0;
    let counted = 0;
    await fc.assert(
      fc.asyncProperty(stored, policy, fc.integer({ min: -2_000_000, max: 2_000_000 }), async (fields, p, offset) => {
        const now = T0 + offset;
        const a = uniquePrefix('attempt-a');
        const b = uniquePrefix('attempt-b');
        try {
          await seed(a, 'g1', fields);
          await seed(b, 'g1', fields);
          const clock = fixedClock(now);
          const sa = createRedisStore({ client: admin, keyPrefix: a, clock });
          const sb = createRedisStore({ client: admin, keyPrefix: b, clock });
          const before = await rawSnapshot(admin, a);
          const ttlBefore = await admin.pttl(guardKey(keyHead(a, null), 'g1'));
          const r = await sa.guard.attempt('g1', p);
          // What the contract says, from the stored fields alone.
          const forgotten = fields?.e !== undefined && now >= Number(fields.e);
          const lockedAt = forgotten || fields?.k === undefined ? null : Number(fields.k);
          if (lockedAt !== null && now < lockedAt) {
            locked++;
            expect(r).toEqual({ ok: false, reason: 'locked', lockedUntil: lockedAt, failures: Number(fields?.f ?? '0') });
            expect(await rawSnapshot(admin, a)).toEqual(before);
            // Not even the TTL was touched (PEXPIRE would have set one below 10^8 ms).
            const ttl = await admin.pttl(guardKey(keyHead(a, null), 'g1'));
            expect(ttl <= ttlBefore && (ttlBefore < 0 ? ttl === ttlBefore : ttl > MARKER_TTL - 600_000)).toBe(true);
            return;
          }
          counted++;
          const s = await sb.guard.recordFailure('g1', p);
          expect(r).toEqual({ ok: true, state: s });
          expect(await rawSnapshot(admin, a)).toEqual(await rawSnapshot(admin, b));
          const e = await admin.hget(guardKey(keyHead(a, null), 'g1'), 'e');
          const ttl = await admin.pttl(guardKey(keyHead(a, null), 'g1'));
          if (e === null) expect(ttl).toBe(-1);
          else expect(ttl > 0 && ttl <= Number(e) - now).toBe(true);
        } finally {
          await dropRedisStore({ client: admin, keyPrefix: a });
          await dropRedisStore({ client: admin, keyPrefix: b });
        }
      }),
      { seed: 7, numRuns: 150 },
    );
    // Both branches were exercised.
    expect(locked).toBeGreaterThan(10);
    expect(counted).toBeGreaterThan(10);
  });

  it('concurrent attempts are counted one by one, each seeing the lock the counts before it set', async () => {
    const p = uniquePrefix('attempt-race');
    const client = newClient();
    const store = createRedisStore({ client, keyPrefix: p, clock: fixedClock(T0), closeClient: true });
    try {
      const policy = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 60_000, lockoutFailures: 10, lockoutMs: 900_000 };
      const results = await Promise.all(Array.from({ length: 40 }, () => store.guard.attempt('g1', policy)));
      // Counts 1..4; the fourth set a lock, so the other 36 are refused and not counted.
      const ok = results.filter((r) => r.ok);
      expect(ok.map((r) => r.ok && r.state.failures).sort()).toEqual([1, 2, 3, 4]);
      for (const r of results.filter((x) => !x.ok)) expect(r).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 1000, failures: 4 });
      expect(await store.guard.get('g1')).toMatchObject({ failures: 4, lockedUntil: T0 + 1000 });
    } finally {
      await store.close();
      await dropRedisStore({ client: admin, keyPrefix: p });
    }
  });

  it('runs on a server whose script cache is empty (fresh server, then after SCRIPT FLUSH)', async () => {
    const server = await startPrivateRedis();
    const client = new Redis({ host: '127.0.0.1', port: server.port, ...RECOMMENDED_REDIS_OPTIONS });
    const store = createRedisStore({ client, keyPrefix: 'cmfa-test:fresh:', clock: fixedClock(T0), closeClient: true });
    const policy = { freeFailures: 0, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 5, lockoutMs: 60_000 };
    try {
      expect(await client.script('EXISTS', GUARD_COUNT.sha, GUARD_CONSUME.sha)).toEqual([0, 0]);
      expect(await store.guard.attempt('g1', policy)).toMatchObject({ ok: true, state: { failures: 1, lockedUntil: T0 + 1000 } });
      expect(await client.script('EXISTS', GUARD_COUNT.sha)).toEqual([1]);
      expect(await store.guard.attempt('g1', policy)).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 1000, failures: 1 });
      await client.script('FLUSH');
      expect(await store.guard.attempt('g1', policy)).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 1000, failures: 1 });
      await client.script('FLUSH');
      expect(await store.guard.recordFailure('g1', policy)).toMatchObject({ failures: 2 });
      await client.script('FLUSH');
      expect(await store.guard.consume('g1', 5, { unlockThrough: T0 + 1000 })).toMatchObject({ ok: true });
    } finally {
      await store.close();
      await server.stop();
    }
  });
});

describe('redis: consume with auditLog on a single server', () => {
  it('the scope\'s own audit log gets the entry in the consume\'s script; another log, or the log of another scope: the outbox', async () => {
    const p = uniquePrefix('auditlog');
    const store = createRedisStore({ client: admin, keyPrefix: p, clock: fixedClock(T0), singleServer: true });
    const other = createRedisStore({ client: admin, keyPrefix: uniquePrefix('auditlog-other'), clock: fixedClock(T0) });
    try {
      const acme = store.forOrganisation('acme');
      const cases = [
        { guard: store.guard, audit: store.audit, auditLog: store.audit, org: null, direct: true },
        { guard: store.guard, audit: store.audit, auditLog: other.audit, org: null, direct: false },
        { guard: store.guard, audit: store.audit, auditLog: { ...store.audit }, org: null, direct: false },
        { guard: acme.guard, audit: acme.audit, auditLog: acme.audit, org: 'acme', direct: true },
        { guard: acme.guard, audit: acme.audit, auditLog: store.audit, org: 'acme', direct: false },
      ];
      for (const [i, c] of cases.entries()) {
        const id = `enr${i}`;
        const key = `k${i}`;
        const r = await c.guard.consume(id, 10, {
          audit: { key, kind: 'otp.accepted', enrolmentId: id, userId: 'alice', detail: { i } },
          auditLog: c.auditLog,
        });
        expect(r.ok).toBe(true);
        const logged = (await c.audit.query({ enrolmentId: id })).events;
        if (c.direct) {
          expect(r.ok && r.logged).toEqual({ id: `${T0}-0`, at: T0, kind: 'otp.accepted', enrolmentId: id, userId: 'alice', detail: { i } });
          expect(logged).toEqual([r.ok && r.logged]);
        } else {
          expect(r.ok && 'logged' in r).toBe(false);
          expect(logged).toEqual([]);
        }
        const inOutbox = c.direct ? [] : [key];
        expect(await admin.hkeys(outboxKey(keyHead(p, c.org), id))).toEqual(inOutbox);
        // A refused step records nothing, with or without auditLog.
        const again = await c.guard.consume(id, 10, {
          audit: { key: `${key}x`, kind: 'otp.accepted', enrolmentId: id, userId: 'alice' },
          auditLog: c.auditLog,
        });
        expect(again).toEqual({ ok: false, reason: 'replayed', lastStep: 10 });
        expect(await admin.hkeys(outboxKey(keyHead(p, c.org), id))).toEqual(inOutbox);
        expect((await c.audit.query({ enrolmentId: id })).events).toEqual(logged);
      }
      expect((await store.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k1', 'k2']);
      expect((await acme.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k4']);
    } finally {
      await dropRedisStore({ client: admin, keyPrefix: p });
    }
  });
});
