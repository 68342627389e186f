import { fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { DEFAULT_THROTTLE_POLICY, type MfaStore } from '@cloudmfa/storage';
import { createRedisStore, dropRedisStore } from '@cloudmfa/storage-redis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  auditAllKey,
  auditEnrolmentKey,
  challengeKey,
  enrolmentKey,
  guardKey,
  outboxKey,
  keyHead,
  ownerKey,
  pendingKey,
  userIndexKey,
} from '../src/_keys.js';
import { keysUnder, newClient, rawSnapshot, uniquePrefix } from './helpers.js';

// What the adapter keeps in Redis: tampered data is ERR_STORAGE_CORRUPT and never half-written
// over; TTLs are relative to the injected clock; Redis really reclaims expired records and the
// indexes heal; the audit clock never runs backwards; audit retention trims.

const T0 = Date.UTC(2026, 0, 1);
const SECRET = Uint8Array.from({ length: 16 }, (_, i) => i);
const MARKER = 'S3CR3T-MARKER';
const admin = newClient();
let p: string;
let clock: ReturnType<typeof fixedClock>;
let store: MfaStore;

beforeEach(() => {
  p = uniquePrefix('stored');
  clock = fixedClock(T0);
  store = createRedisStore({ client: admin, keyPrefix: p, clock });
});
afterEach(async () => {
  await dropRedisStore({ client: admin, keyPrefix: p });
});
afterAll(async () => {
  await admin.quit();
});

async function expectCorrupt(run: () => Promise<unknown>): Promise<void> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCloudMfaError(err, 'ERR_STORAGE_CORRUPT'), `expected ERR_STORAGE_CORRUPT, got ${String((err as { code?: string })?.code ?? err)}`).toBe(true);
  expect((err as Error).message).not.toContain(MARKER);
  expect(JSON.stringify((err as { cause?: unknown }).cause ?? null)).not.toContain(MARKER);
}

const enrol = (id = 'e1', ttl = 60_000) => store.enrolments.create({ id, userId: 'alice', secret: SECRET, expiresAt: clock() + ttl });

describe('tampered data', () => {
  it('an enrolment key of another type', async () => {
    await admin.set(enrolmentKey(keyHead(p, null), 'e1'), MARKER);
    await expectCorrupt(() => store.enrolments.get('e1'));
    await expectCorrupt(() => store.enrolments.redeem('e1'));
    await expectCorrupt(() => store.enrolments.revoke('e1'));
    expect(await admin.get(enrolmentKey(keyHead(p, null), 'e1'))).toBe(MARKER);
  });

  it('malformed enrolment fields are refused and nothing is written over them', async () => {
    for (const [field, value] of [
      ['s', 'weird'],
      ['v', 'abc'],
      ['x', `${MARKER}`],
      ['k', `not base64 ${MARKER}`],
      ['m', `{"unterminated": "${MARKER}`],
      ['c', '1e21'],
    ] as const) {
      await dropRedisStore({ client: admin, keyPrefix: p });
      await enrol();
      await admin.hset(enrolmentKey(keyHead(p, null), 'e1'), field, value);
      const raw = await rawSnapshot(admin, p);
      await expectCorrupt(() => store.enrolments.get('e1'));
      if (field === 's' || field === 'x') await expectCorrupt(() => store.enrolments.redeem('e1', { meta: { a: 1 } }));
      if (field === 's' || field === 'v') {
        await expectCorrupt(() => store.enrolments.update('e1', { meta: { a: 1 } }));
        await expectCorrupt(() => store.enrolments.revoke('e1'));
      }
      expect(await rawSnapshot(admin, p), field).toEqual(raw);
    }
  });

  it('malformed guard fields are refused before any write', async () => {
    await store.guard.consume('e1', 5);
    await admin.hset(guardKey(keyHead(p, null), 'e1'), 'l', MARKER);
    const raw = await rawSnapshot(admin, p);
    await expectCorrupt(() => store.guard.consume('e1', 6));
    await expectCorrupt(() => store.guard.get('e1'));
    await admin.hset(guardKey(keyHead(p, null), 'e1'), 'l', '5', 'k', MARKER);
    const raw2 = await rawSnapshot(admin, p);
    await expectCorrupt(() => store.guard.recordFailure('e1', DEFAULT_THROTTLE_POLICY));
    await expectCorrupt(() => store.guard.attempt('e1', DEFAULT_THROTTLE_POLICY));
    await expectCorrupt(() => store.guard.consume('e1', 6));
    expect(await rawSnapshot(admin, p)).toEqual(raw2);
    expect(raw).not.toEqual(raw2);
  });

  it('a guard key of another type fails only its own call in a batch; the others are applied', async () => {
    await admin.set(guardKey(keyHead(p, null), 'bad'), MARKER);
    // Issued in one turn: one script call per batch (consumes, counts).
    const [c1, c2, a1, a2] = await Promise.allSettled([
      store.guard.consume('bad', 5),
      store.guard.consume('good', 5),
      store.guard.attempt('bad', DEFAULT_THROTTLE_POLICY),
      store.guard.attempt('good2', DEFAULT_THROTTLE_POLICY),
    ]);
    for (const r of [c1, a1]) {
      expect(r.status).toBe('rejected');
      await expectCorrupt(() => Promise.reject((r as PromiseRejectedResult).reason));
    }
    expect(c2).toMatchObject({ status: 'fulfilled', value: { ok: true } });
    expect(a2).toMatchObject({ status: 'fulfilled', value: { ok: true, state: { failures: 1 } } });
    expect(await admin.get(guardKey(keyHead(p, null), 'bad'))).toBe(MARKER);
    expect(await store.guard.get('good')).toMatchObject({ lastStep: 5 });
  });

  it('an outbox key of another type: the step is not consumed (no code spent without its entry); the rest of the batch is applied', async () => {
    await admin.set(outboxKey(keyHead(p, null), 'bad'), MARKER);
    const audit = (id: string) => ({ key: `k-${id}`, kind: 'otp.accepted', enrolmentId: id, userId: 'alice', detail: { step: 5 } });
    const [bad, good] = await Promise.allSettled([store.guard.consume('bad', 5, { audit: audit('bad') }), store.guard.consume('good', 5, { audit: audit('good') })]);
    expect(bad.status).toBe('rejected');
    await expectCorrupt(() => Promise.reject((bad as PromiseRejectedResult).reason));
    expect(good).toMatchObject({ status: 'fulfilled', value: { ok: true } });
    expect(await store.guard.get('bad')).toBeNull();
    expect(await admin.get(outboxKey(keyHead(p, null), 'bad'))).toBe(MARKER);
    expect(await admin.hkeys(outboxKey(keyHead(p, null), 'good'))).toEqual(['k-good']);
  });

  it('a challenge owner pointer or record that is not ours', async () => {
    await admin.set(ownerKey(keyHead(p, null), 'c1'), `{${MARKER}}`);
    await expectCorrupt(() => store.challenges.get('c1'));
    await expectCorrupt(() => store.challenges.finalize('c1', { status: 'approved' }));
    await store.challenges.create({ id: 'c2', enrolmentId: 'e1', userId: 'alice', expiresAt: clock() + 60_000 });
    await admin.hset(challengeKey(keyHead(p, null), 'e1', 'c2'), 'x', MARKER);
    await expectCorrupt(() => store.challenges.finalize('c2', { status: 'approved' }));
    await expectCorrupt(() => store.challenges.get('c2'));
    expect(await admin.hget(challengeKey(keyHead(p, null), 'e1', 'c2'), 's')).toBe('pending');
  });

  it('an audit entry that is not ours', async () => {
    await admin.xadd(auditAllKey(keyHead(p, null)), `${T0}-0`, 'x', MARKER);
    await expectCorrupt(() => store.audit.query());
    await admin.xadd(auditEnrolmentKey(keyHead(p, null), 'e1'), `${T0}-0`, 'k', 'otp.accepted', 'e', 'e2', 'd', '{}');
    await expectCorrupt(() => store.audit.query({ enrolmentId: 'e1' }));
  });
});

describe('key layout', () => {
  it('never writes a user id or a secret into a key name, and hashes user ids with braces', async () => {
    const userId = `{${MARKER}}`;
    await store.enrolments.create({ id: 'e1', userId, secret: SECRET, expiresAt: clock() + 1000 });
    await store.audit.append({ kind: 'k', userId, enrolmentId: 'e1' });
    const keys = await keysUnder(admin, p);
    expect(keys.some((k) => k.includes(MARKER))).toBe(false);
    expect(keys).toContain(userIndexKey(keyHead(p, null), userId));
    // Exactly one hash tag per key.
    for (const k of keys) expect(k.slice(p.length).match(/[{}]/g)).toEqual(['{', '}']);
    expect((await store.enrolments.listByUser(userId)).map((e) => e.id)).toEqual(['e1']);
  });
});

describe('TTLs follow the injected clock', () => {
  for (const at of [Date.UTC(2001, 0, 1), T0, Date.UTC(2090, 0, 1)]) {
    it(`are relative to the store clock (clock at ${new Date(at).toISOString().slice(0, 4)})`, async () => {
      const c = fixedClock(at);
      const s = createRedisStore({ client: admin, keyPrefix: p, clock: c, pendingEnrolmentRetentionMs: 10_000, challengeRetentionMs: 20_000 });
      await s.enrolments.create({ id: 'e1', userId: 'alice', secret: SECRET, expiresAt: at + 60_000 });
      await s.enrolments.create({ id: 'e2', userId: 'alice', secret: SECRET, expiresAt: at + 60_000 });
      await s.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: 'alice', expiresAt: at + 120_000 });
      await s.guard.consume('e1', 1);
      const near = async (key: string, ms: number) => {
        const ttl = await admin.pttl(key);
        expect(ttl, key).toBeLessThanOrEqual(ms);
        expect(ttl, key).toBeGreaterThan(ms - 5000);
      };
      await near(enrolmentKey(keyHead(p, null), 'e1'), 70_000);
      await near(challengeKey(keyHead(p, null), 'e1', 'c1'), 140_000);
      await near(ownerKey(keyHead(p, null), 'c1'), 140_000);
      await near(pendingKey(keyHead(p, null), 'e1'), 140_000);
      expect(await admin.pttl(guardKey(keyHead(p, null), 'e1'))).toBe(-1);
      expect(await admin.pttl(userIndexKey(keyHead(p, null), 'alice'))).toBe(-1);
      // Redeemed and revoked enrolments are kept.
      await s.enrolments.redeem('e1');
      await s.enrolments.revoke('e2');
      expect(await admin.pttl(enrolmentKey(keyHead(p, null), 'e1'))).toBe(-1);
      expect(await admin.pttl(enrolmentKey(keyHead(p, null), 'e2'))).toBe(-1);
    });
  }

  it('Redis reclaims an expired pending enrolment and listByUser heals the index after the grace period', async () => {
    const s = createRedisStore({ client: admin, keyPrefix: p, clock, pendingEnrolmentRetentionMs: 0, challengeRetentionMs: 0 });
    await s.enrolments.create({ id: 'gone', userId: 'alice', secret: SECRET, expiresAt: clock() + 30 });
    await s.enrolments.create({ id: 'kept', userId: 'alice', secret: SECRET, expiresAt: clock() + 600_000 });
    await s.challenges.create({ id: 'c1', enrolmentId: 'kept', userId: 'alice', expiresAt: clock() + 30 });
    // Real time passes for Redis (its TTLs are real time); the store clock stays put.
    const deadline = Date.now() + 5000;
    while ((await admin.exists(enrolmentKey(keyHead(p, null), 'gone'), challengeKey(keyHead(p, null), 'kept', 'c1'))) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await s.enrolments.get('gone')).toBeNull();
    expect(await s.enrolments.redeem('gone')).toEqual({ ok: false, reason: 'not_found' });
    expect(await s.challenges.get('c1')).toBeNull();
    expect(await s.challenges.finalize('c1', { status: 'approved' })).toEqual({ ok: false, reason: 'not_found' });
    // The pending index drops the entry of a reclaimed challenge at once (same slot, one script).
    await admin.zadd(pendingKey(keyHead(p, null), 'kept'), clock(), 'c1');
    expect(await s.challenges.listPending('kept')).toEqual([]);
    expect(await admin.zcard(pendingKey(keyHead(p, null), 'kept'))).toBe(0);
    // The user index keeps the dangling entry while a create could still be in flight ...
    clock.advance(60_000);
    expect((await s.enrolments.listByUser('alice')).map((e) => e.id)).toEqual(['kept']);
    expect(await admin.zrange(userIndexKey(keyHead(p, null), 'alice'), 0, -1)).toEqual(['gone', 'kept']);
    // ... and drops it after the grace period.
    clock.advance(5 * 60_000);
    expect((await s.enrolments.listByUser('alice')).map((e) => e.id)).toEqual(['kept']);
    expect(await admin.zrange(userIndexKey(keyHead(p, null), 'alice'), 0, -1)).toEqual(['kept']);
  });
});

describe('audit streams', () => {
  it('stamps an append whose clock runs behind with the newest time, keeping the order', async () => {
    clock.set(T0 + 5000);
    const a = await store.audit.append({ kind: 'first', enrolmentId: 'e1' });
    clock.set(T0);
    const b = await store.audit.append({ kind: 'second', enrolmentId: 'e1', userId: 'alice' });
    const c = await store.audit.append({ kind: 'third', userId: 'alice' });
    expect([a.id, b.id, c.id]).toEqual([`${T0 + 5000}-0`, `${T0 + 5000}-1`, `${T0 + 5000}-2`]);
    expect(b.at).toBe(T0 + 5000);
    expect((await store.audit.query()).events.map((e) => e.kind)).toEqual(['third', 'second', 'first']);
    expect((await store.audit.query({ enrolmentId: 'e1' })).events.map((e) => e.kind)).toEqual(['second', 'first']);
    expect((await store.audit.query({ userId: 'alice' })).events.map((e) => e.kind)).toEqual(['third', 'second']);
    clock.set(T0 + 6000);
    expect((await store.audit.append({ kind: 'fourth' })).id).toBe(`${T0 + 6000}-0`);
  });

  it('trims events older than auditRetentionMs at the next append', async () => {
    const s = createRedisStore({ client: admin, keyPrefix: p, clock, auditRetentionMs: 60_000 });
    await s.audit.append({ kind: 'old', enrolmentId: 'e1', userId: 'alice' });
    clock.advance(30_000);
    await s.audit.append({ kind: 'mid', enrolmentId: 'e1', userId: 'alice' });
    clock.advance(31_000);
    await s.audit.append({ kind: 'new', enrolmentId: 'e1', userId: 'alice' });
    for (const q of [{}, { enrolmentId: 'e1' }, { userId: 'alice' }]) {
      expect((await s.audit.query(q)).events.map((e) => e.kind)).toEqual(['new', 'mid']);
    }
  });

  it('a filtered query stops after its scan budget with a cursor, and paging finds the rest', async () => {
    // One event of e1 by alice, then 5,010 by bob: a query for (e1, alice) past the budget.
    await admin.xadd(auditEnrolmentKey(keyHead(p, null), 'e1'), `${T0 + 1}-0`, 'k', 'y', 'e', 'e1', 'u', 'alice', 'd', '{}');
    const pipe = admin.pipeline();
    for (let i = 0; i < 5010; i++) pipe.xadd(auditEnrolmentKey(keyHead(p, null), 'e1'), `${T0 + 10 + i}-0`, 'k', 'x', 'e', 'e1', 'u', 'bob', 'd', '{}');
    await pipe.exec();
    const first = await store.audit.query({ enrolmentId: 'e1', userId: 'alice' });
    expect(first.events).toEqual([]);
    expect(first.cursor).not.toBeNull();
    const second = await store.audit.query({ enrolmentId: 'e1', userId: 'alice', cursor: first.cursor! });
    expect(second.events.map((e) => e.kind)).toEqual(['y']);
    expect(second.cursor).toBeNull();
  });

  it('an empty range and the time origin', async () => {
    await store.audit.append({ kind: 'k' });
    expect(await store.audit.query({ to: 0 })).toEqual({ events: [], cursor: null });
    expect(await store.audit.query({ from: T0 + 1 })).toEqual({ events: [], cursor: null });
    expect(await store.audit.query({ cursor: '0.0' })).toEqual({ events: [], cursor: null });
  });
});
