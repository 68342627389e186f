import { type Clock, fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { DEFAULT_THROTTLE_POLICY, type MfaStore } from '@cloudmfa/storage';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CutProxy } from './cutProxy.js';
import { newClient, rawSnapshot } from './helpers.js';
import { loadAllScripts, type PrivateRedis, startPrivateRedis } from './privateRedis.js';

const T0 = Date.UTC(2026, 0, 1);
const U = 'ERR_STORAGE_UNAVAILABLE';
const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const MARKER = 'S3CR3T-MARKER';

// The cut tests count request/reply boundaries, which depend on the server's script cache
// (EVALSHA answered, or NOSCRIPT and then EVAL). That cache is server-wide, so these tests
// talk to a redis-server of their own: no other file can flush or fill it between a test's
// reference run and its cut runs, and each count is taken right after SCRIPT LOAD.
let server: PrivateRedis;
let admin: Redis;
let proxy: CutProxy;
beforeAll(async () => {
  server = await startPrivateRedis();
  admin = new Redis({ host: '127.0.0.1', port: server.port, ...RECOMMENDED_REDIS_OPTIONS });
  proxy = new CutProxy({ host: '127.0.0.1', port: server.port });
  await proxy.start();
});
afterAll(async () => {
  await proxy?.stop();
  await admin?.quit();
  await server?.stop();
});

/** Asserts a rejection with `code` whose cause is scrubbed (name and code only, no message). */
async function expectUnavailable(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCloudMfaError(err, U), `expected ${U}, got ${String((err as { code?: string })?.code ?? err)}`).toBe(true);
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined) {
    expect(Object.keys(cause as object).every((k) => k === 'name' || k === 'code')).toBe(true);
    expect(JSON.stringify(cause)).not.toContain(MARKER);
  }
  expect((err as Error).message).not.toContain(MARKER);
}

// Every operation, with arguments that carry a marker where they can (ids, user ids, meta).
const everyOperation = (s: MfaStore): Array<() => Promise<unknown>> => [
  () => s.enrolments.create({ id: 'e1', userId: `${MARKER}-user`, secret: SECRET, meta: { m: MARKER }, expiresAt: T0 + 60_000 }),
  () => s.enrolments.get('e1'),
  () => s.enrolments.listByUser(`${MARKER}-user`),
  () => s.enrolments.redeem('e1', { meta: { m: MARKER } }),
  () => s.enrolments.update('e1', { secret: SECRET }),
  () => s.enrolments.revoke('e1'),
  () => s.guard.get('e1'),
  () => s.guard.consume('e1', 1),
  () => s.guard.recordFailure('e1', DEFAULT_THROTTLE_POLICY),
  () => s.guard.attempt('e1', DEFAULT_THROTTLE_POLICY),
  () => s.guard.reset('e1'),
  () => s.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: 'u', expiresAt: T0 + 60_000, meta: { m: MARKER } }),
  () => s.challenges.get('c1'),
  () => s.challenges.finalize('c1', { status: 'approved', outcome: { m: MARKER } }),
  () => s.challenges.listPending('e1'),
  () => s.audit.append({ kind: 'x', userId: `${MARKER}-user`, detail: { m: MARKER } }),
  () => s.audit.query({ userId: `${MARKER}-user` }),
];

describe('closed and unreachable connections', () => {
  it('a client the caller disconnected: every operation rejects ERR_STORAGE_UNAVAILABLE with a scrubbed cause', async () => {
    const client = newClient();
    await client.ping();
    const store = createRedisStore({ client, keyPrefix: 'cmfa-test:closed:', clock: fixedClock(T0) });
    client.disconnect();
    for (const op of everyOperation(store)) await expectUnavailable(op());
  });

  it('a server that refuses connections: every operation rejects ERR_STORAGE_UNAVAILABLE', async () => {
    // A loopback port with nothing listening (taken and released).
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const client = new Redis({ host: '127.0.0.1', port, ...RECOMMENDED_REDIS_OPTIONS, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const store = createRedisStore({ client, keyPrefix: 'cmfa-test:refused:', clock: fixedClock(T0), closeClient: true });
    for (const op of everyOperation(store)) await expectUnavailable(op());
    await store.close();
  });

  it('close() quits the client only when the store owns it', async () => {
    const owned = newClient();
    const s1 = createRedisStore({ client: owned, keyPrefix: 'cmfa-test:own:', closeClient: true });
    await owned.ping();
    await s1.close();
    await s1.close();
    expect(owned.status).toBe('end');
    const shared = newClient();
    const s2 = createRedisStore({ client: shared, keyPrefix: 'cmfa-test:shared:' });
    await s2.close();
    expect(await shared.ping()).toBe('PONG');
    await expectUnavailable(s2.guard.get('e1'));
    await shared.quit();
  });
});

// ---------------------------------------------------------------------------------------------
// Dropped connections in the middle of an operation. A TCP proxy sits between the adapter and
// Redis; the operation runs once through it to learn where each request ends, then again on
// fresh copies of the same data with the connection cut (1) inside each request, so Redis gets
// a partial command, and (2) after each request, dropping its reply, so Redis has executed it.
// Every time: the call rejects ERR_STORAGE_UNAVAILABLE and what a reader sees is exactly the
// state before or exactly the state after the operation, never a mix; a partial single-script
// operation leaves not one byte changed. Where the reader sees "before", retrying succeeds.

interface Case {
  name: string;
  setup(s: MfaStore): Promise<void>;
  action(s: MfaStore): Promise<unknown>;
  observe(s: MfaStore): Promise<unknown>;
  /** Several requests (writes to two or three slots): intermediate raw states exist but are invisible. */
  multiRequest?: boolean;
}

const enrolled = async (s: MfaStore) => {
  await s.enrolments.create({ id: 'e1', userId: 'alice', secret: SECRET, meta: { v: 1 }, expiresAt: T0 + 60_000 });
};
const viewEnrolment = async (s: MfaStore) => [await s.enrolments.get('e1'), await s.enrolments.listByUser('alice')];
const viewChallenge = async (s: MfaStore) => [await s.challenges.get('c1'), await s.challenges.listPending('e1')];
const viewGuard = (s: MfaStore) => s.guard.get('e1');
const withChallenge = async (s: MfaStore) => {
  await s.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: 'alice', expiresAt: T0 + 60_000, meta: { n: '42' } });
};
const lockedGuard = async (s: MfaStore) => {
  await s.guard.consume('e1', 10, { drift: 1 });
  await s.guard.recordFailure('e1', { ...DEFAULT_THROTTLE_POLICY, freeFailures: 0 });
};

const cases: Case[] = [
  { name: 'enrolments.create', setup: async () => {}, action: enrolled, observe: viewEnrolment, multiRequest: true },
  {
    name: 'enrolments.redeem',
    setup: enrolled,
    action: (s) => s.enrolments.redeem('e1', { secret: new Uint8Array([9, 9]), meta: { device: 'pixel' } }),
    observe: viewEnrolment,
  },
  { name: 'enrolments.update', setup: enrolled, action: (s) => s.enrolments.update('e1', { meta: { v: 2 }, expectedVersion: 1 }), observe: viewEnrolment },
  { name: 'enrolments.revoke', setup: enrolled, action: (s) => s.enrolments.revoke('e1'), observe: viewEnrolment },
  { name: 'guard.consume', setup: (s) => s.guard.consume('e1', 10).then(() => undefined), action: (s) => s.guard.consume('e1', 11, { drift: -1 }), observe: viewGuard },
  { name: 'guard.recordFailure', setup: lockedGuard, action: (s) => s.guard.recordFailure('e1', DEFAULT_THROTTLE_POLICY), observe: viewGuard },
  { name: 'guard.attempt', setup: (s) => s.guard.consume('e1', 10, { drift: 1 }).then(() => undefined), action: (s) => s.guard.attempt('e1', DEFAULT_THROTTLE_POLICY), observe: viewGuard },
  { name: 'guard.reset', setup: lockedGuard, action: (s) => s.guard.reset('e1'), observe: viewGuard },
  { name: 'challenges.create', setup: async () => {}, action: withChallenge, observe: viewChallenge, multiRequest: true },
  {
    name: 'challenges.finalize',
    setup: withChallenge,
    action: (s) => s.challenges.finalize('c1', { status: 'denied', outcome: { suspicious: true } }),
    observe: viewChallenge,
    multiRequest: true,
  },
  {
    name: 'audit.append',
    setup: (s) => s.audit.append({ kind: 'first', enrolmentId: 'e1', userId: 'alice' }).then(() => undefined),
    action: (s) => s.audit.append({ kind: 'otp.accepted', enrolmentId: 'e1', userId: 'alice', detail: { delta: 0 } }),
    observe: async (s) => [await s.audit.query(), await s.audit.query({ enrolmentId: 'e1' }), await s.audit.query({ userId: 'alice' })],
  },
];

let run = 0;
// Prefixes of one length, so every run sends byte-for-byte the same requests.
const nextPrefix = () => `cmfa-test:cut:${process.pid}:${String(++run).padStart(5, '0')}:`;

async function prepared(c: Case, clock: Clock) {
  const keyPrefix = nextPrefix();
  await dropRedisStore({ client: admin, keyPrefix });
  const direct = createRedisStore({ client: admin, keyPrefix, clock });
  await c.setup(direct);
  const client = new Redis({ host: '127.0.0.1', port: proxy.port, ...RECOMMENDED_REDIS_OPTIONS, retryStrategy: () => null });
  client.on('error', () => undefined);
  await client.ping();
  const viaProxy = createRedisStore({ client, keyPrefix, clock, closeClient: true });
  return { keyPrefix, direct, viaProxy };
}

describe('a connection dropped in the middle of an operation never leaves a half-applied state', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const clock = fixedClock(T0);
      const prefixes: string[] = [];
      try {
        // The reference run: states before and after, and where each request ends.
        const ref = await prepared(c, clock);
        prefixes.push(ref.keyPrefix);
        const before = await c.observe(ref.direct);
        const rawBefore = await rawSnapshot(admin, ref.keyPrefix);
        await loadAllScripts(admin);
        proxy.arm({ kind: 'count' });
        await c.action(ref.viaProxy);
        const ends = [...proxy.marks];
        await ref.viaProxy.close();
        const after = await c.observe(ref.direct);
        const rawAfter = await rawSnapshot(admin, ref.keyPrefix);
        expect(after).not.toEqual(before);
        expect(ends.length).toBe(c.multiRequest ? 3 : 1);

        const points: Array<{ kind: 'cut'; bytes: number } | { kind: 'dropReply'; afterBytes: number }> = [];
        let start = 0;
        for (const end of ends) {
          for (const b of new Set([start + 1, Math.floor((start + end) / 2), end - 1])) points.push({ kind: 'cut', bytes: b });
          points.push({ kind: 'dropReply', afterBytes: end });
          start = end;
        }
        for (const point of points) {
          const env = await prepared(c, clock);
          prefixes.push(env.keyPrefix);
          await loadAllScripts(admin);
          proxy.arm(point);
          await expectUnavailable(c.action(env.viaProxy));
          await env.viaProxy.close();
          const seen = await c.observe(env.direct);
          const raw = await rawSnapshot(admin, env.keyPrefix);
          const label = `${c.name} ${point.kind} at ${'bytes' in point ? point.bytes : point.afterBytes} of ${ends.join('/')}`;
          if (!c.multiRequest) {
            // One script: a partial command changes nothing at all; an executed one everything.
            expect(raw, label).toEqual(point.kind === 'cut' ? rawBefore : rawAfter);
            expect(seen, label).toEqual(point.kind === 'cut' ? before : after);
            continue;
          }
          const isBefore = JSON.stringify(seen) === JSON.stringify(before);
          const isAfter = JSON.stringify(seen) === JSON.stringify(after);
          expect(isBefore || isAfter, `${label}: neither before nor after: ${JSON.stringify(seen)}`).toBe(true);
          // Once the last request has run, the operation is complete.
          if (point.kind === 'dropReply' && point.afterBytes === ends[ends.length - 1]) expect(isAfter, label).toBe(true);
          if (isBefore) {
            // An interrupted create or finalize can be retried and then completes.
            await c.action(env.direct);
            expect(await c.observe(env.direct), `${label}: retry`).toEqual(after);
          }
        }
      } finally {
        for (const keyPrefix of prefixes) await dropRedisStore({ client: admin, keyPrefix });
      }
    });
  }
});

