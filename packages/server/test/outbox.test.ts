// Issue 11 §6 on every real store: nothing consumed without a record. A code the store consumed
// is reported accepted with its otp.accepted entry eventually in the audit log (the outbox,
// drained exactly once), even while the audit log is down or slow; a store that does not answer
// fails fast with 503 and Retry-After.
import { fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { type AuditLog, createMemoryStore, type MfaStore } from '@cloudmfa/storage';
import { storageError } from '@cloudmfa/storage/adapter';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../src/index.js';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { activateOnline, codeAt, makeDevice, makeServer, ORIGIN, T0, type TestServer } from './helpers.js';
import { documented } from './openapi.js';

afterAll(closeBackends);

/** The store with an audit log that can be switched to failing (down) or never answering (hung). */
function withAuditFault(store: MfaStore): { store: MfaStore; set(mode: 'up' | 'down' | 'hung'): void } {
  let mode: 'up' | 'down' | 'hung' = 'up';
  const audit: AuditLog = {
    append: (e) =>
      mode === 'up' ? store.audit.append(e) : mode === 'down' ? Promise.reject(storageError('ERR_STORAGE_UNAVAILABLE', 'audit down')) : new Promise(() => undefined),
    query: (q) => store.audit.query(q),
  };
  return { store: { enrolments: store.enrolments, guard: store.guard, challenges: store.challenges, audit, organisations: store.organisations, forOrganisation: (id) => store.forOrganisation(id), close: () => store.close() }, set: (m) => (mode = m) };
}

/**
 * `work`, or a failure after `ms`: without the deadline these calls never settle, and the test
 * should say so rather than wait for the runner's timeout. A generous bound, never a tight one.
 */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function acceptedSteps(t: TestServer): Promise<number[]> {
  const page = await t.server.queryAudit({ limit: 1000 });
  return page.events.filter((e) => e.kind === 'otp.accepted').map((e) => e.detail.step as number);
}

describe.each(Object.keys(BACKENDS))('nothing consumed without a record on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);
  let fault: ReturnType<typeof withAuditFault>;
  let t: TestServer;
  beforeEach(() => {
    fault = withAuditFault(backendNow.opened().store);
    t = makeServer({ clock: backendNow.clock(), store: () => fault.store });
  });

  it('an accepted code whose audit append fails is still accepted; the drain writes its entry exactly once', async () => {
    const { identity } = await activateOnline(t, makeDevice('a'));
    const step = T0 / 30_000;
    fault.set('down');
    const r = await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) });
    expect(r).toMatchObject({ ok: true, step });
    // Spent: a retry of the same code is a replay, and it has its record in the outbox.
    fault.set('up');
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: false, reason: 'replayed' });
    expect(await acceptedSteps(t)).toEqual([]);
    expect((await t.store.guard.listPendingAudit()).map((e) => e.detail.step)).toEqual([step]);

    expect(await t.server.drainAuditOutbox()).toEqual({ moved: 1, more: false });
    expect(await t.server.drainAuditOutbox()).toEqual({ moved: 0, more: false });
    expect(await acceptedSteps(t)).toEqual([step]);
    const entry = (await t.server.queryAudit({ enrolmentId: identity.enrolmentId })).events.find((e) => e.kind === 'otp.accepted');
    expect(entry?.detail).toEqual({ method: 'totp', delta: 0, step, acceptedAt: T0 });
    expect(t.events.filter((e) => e.kind === 'otp.accepted')).toHaveLength(1);
  });

  it('a drain that dies after the append and before the settle never duplicates the entry', async () => {
    const { identity } = await activateOnline(t, makeDevice('a'));
    fault.set('down');
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    fault.set('up');
    // The first half of a drain: the append lands, the process dies before settling.
    const [pending] = await t.store.guard.listPendingAudit();
    await t.store.audit.append({ ...pending!, detail: { ...pending!.detail, acceptedAt: pending!.at } });
    expect(await t.server.drainAuditOutbox()).toEqual({ moved: 1, more: false });
    expect(await acceptedSteps(t)).toEqual([T0 / 30_000]);
  });
});

/** A second server over the same store, keys and clock, with a short store deadline. */
function makeServerWithDeadline(t: TestServer, store: MfaStore, storeDeadlineMs: number) {
  return makeServer({ clock: t.clock, store: () => store, storeDeadlineMs }).server;
}

describe('a store that does not answer fails fast', () => {
  it('an audit log that never answers holds the request for the deadline at most, and the code is accepted', async () => {
    const fault = withAuditFault(createMemoryStore({ clock: fixedClock(T0) }));
    const tf = makeServer({ store: () => fault.store });
    const { identity } = await activateOnline(tf, makeDevice('a'));
    fault.set('hung');
    // The memory store answers within the same turn, so only the hung audit log can reach a
    // 50 ms deadline, however loaded the machine (the real stores' outboxes are tested above).
    const fast = makeServerWithDeadline(tf, fault.store, 50);
    // A generous bound: without the deadline this call never returns.
    expect(await within(5_000, fast.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(tf, identity.seed) }))).toMatchObject({ ok: true });
    fault.set('up');
    expect(await fast.drainAuditOutbox()).toEqual({ moved: 1, more: false });
    expect(await acceptedSteps(tf)).toEqual([T0 / 30_000]);
  });
  it('answers 503 with Retry-After within about the deadline, not after the driver gives up', async () => {
    const t = makeServer();
    const hung: MfaStore = { ...t.store, enrolments: { ...t.store.enrolments, get: () => new Promise(() => undefined) } };
    const server = makeServer({ clock: t.clock, store: () => hung, storeDeadlineMs: 50 }).server;
    const handler = documented(createHttpHandler({ server: server }));
    // A generous bound: without the deadline the request never completes.
    const res = await within(
      5_000,
      handler(
          new Request(`${ORIGIN}/v1/activations/redeem`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ version: 1, activationId: 'AAAAAAAAAAAAAAAAAAAAAA', devicePublicKey: 'x', ephemeralPublicKey: 'x', platform: 'ios', pushToken: null, createdAt: T0 / 1000, mac: 'x', signature: 'x' }),
        }),
      ),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const direct = await within(5_000, server.verifyOtp({ enrolmentId: 'AAAAAAAAAAAAAAAAAAAAAA', code: '123456' })).catch((e: unknown) => e);
    expect(isCloudMfaError(direct, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
  });

  it('refuses a storeDeadlineMs outside 1..60000', () => {
    for (const storeDeadlineMs of [0, -1, 1.5, 60_001]) {
      expect(() => makeServer({ storeDeadlineMs })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    }
  });
});

// docs/storage.md section 5: a store whose own audit log is the server's records the accepted
// entry in consume's atomic step (no outbox move follows); the others keep the outbox. Redis
// logs in the consume's script only when made with singleServer (docs/storage-redis.md 3.3),
// which the Redis store of backends.ts is not: it moves the entry, and so does the PostgreSQL
// + Redis composition, whose log is not the Redis guard's own.
const LOGS_DIRECTLY: Record<string, boolean> = { memory: true, sqlite: true, postgres: true, redis: false, 'postgres+redis': false };

describe.each(Object.keys(BACKENDS))('the accepted entry, logged with the consume or moved, on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);

  it('is in the log once, reaches the events sink once, and leaves no outbox entry', async () => {
    const store = backendNow.opened().store;
    const calls: string[] = [];
    const telemetry = {
      operation: <T>(_name: string, run: () => Promise<T>) => run(),
      storeCall: <T>(part: string, method: string, run: () => Promise<T>) => {
        calls.push(`${part}.${method}`);
        return run();
      },
    };
    const t = makeServer({ clock: backendNow.clock(), store: () => store, telemetry });
    const { identity } = await activateOnline(t, makeDevice('a'));
    calls.length = 0;
    const r = await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) });
    expect(r).toMatchObject({ ok: true });
    // The accept path's store calls: three, plus the move where the outbox is kept.
    const move = LOGS_DIRECTLY[backend] ? [] : ['audit.append', 'guard.settleAudit'];
    expect(calls).toEqual(['enrolments.get', 'guard.attempt', 'guard.consume', ...move]);
    expect(await acceptedSteps(t)).toEqual([T0 / 30_000]);
    expect(t.events.filter((e) => e.kind === 'otp.accepted')).toHaveLength(1);
    expect(await store.guard.listPendingAudit()).toEqual([]);
  });
});
