import { type Clock, fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORAGE_LIMITS } from './limits.js';
import { DEFAULT_THROTTLE_POLICY, type ThrottlePolicy, throttleDelay } from './throttle.js';
import type { JsonObject, MfaStore, SecureKeyValueStore } from './types.js';
import type { StorageErrorCode } from './errors.js';

/**
 * The groups of {@link runStorageConformance}; each can be switched off with a reason.
 *
 * @example
 * ```ts
 * runStorageConformance('x', factory, { skip: { concurrency: 'single-connection driver' } satisfies Partial<Record<ConformanceGroup, string>> });
 * ```
 */
export type ConformanceGroup =
  | 'enrolments'
  | 'guard'
  | 'challenges'
  | 'audit'
  | 'validation'
  | 'unicode'
  | 'limits'
  | 'concurrency'
  | 'closed';

/**
 * One fresh, isolated store set made by a {@link StoreFactory}, and how to dispose of it.
 *
 * @example
 * ```ts
 * const inst: ConformanceInstance = { store, cleanup: () => pool.query('DROP SCHEMA t1 CASCADE') };
 * ```
 */
export interface ConformanceInstance {
  store: MfaStore;
  /** Drops the isolated database / schema / key prefix. Must work after `store.close()`. */
  cleanup?: () => Promise<void> | void;
}

/**
 * Makes a fresh isolated store set whose clock is `clock` (the suite moves it).
 *
 * @example
 * ```ts
 * const factory: StoreFactory = ({ clock }) => ({ store: createMemoryStore({ clock }) });
 * ```
 */
export type StoreFactory = (context: { clock: Clock }) => Promise<ConformanceInstance> | ConformanceInstance;

/**
 * Options of {@link runStorageConformance}.
 *
 * @example
 * ```ts
 * runStorageConformance('redis', factory, { concurrency: 200 } satisfies ConformanceOptions);
 * ```
 */
export interface ConformanceOptions {
  /** Groups to switch off, each with the reason, which is printed in the test name. */
  skip?: Partial<Record<ConformanceGroup, string>>;
  /** Concurrent attempts in the concurrency group; default 100. */
  concurrency?: number;
}

/**
 * The time every conformance test starts at: 2026-01-01T00:00:00Z.
 *
 * @example
 * ```ts
 * expect(event.at).toBe(CONFORMANCE_T0);
 * ```
 */
export const CONFORMANCE_T0 = Date.UTC(2026, 0, 1);

type Ctx = { store: MfaStore; clock: ReturnType<typeof fixedClock> };

/**
 * The shared conformance suite for {@link MfaStore} adapters: every operation, expiry through
 * the injected clock, the error codes, unicode and maximum-size values, and concurrency
 * (N concurrent consumes / redemptions / finalisations with exactly one winner each).
 * Call it at the top level of a vitest test file. Each test gets a fresh store set from
 * `factory`.
 *
 * @example
 * ```ts
 * import { runStorageConformance } from '@cloudmfa/storage/testing';
 * runStorageConformance('sqlite', ({ clock }) => {
 *   const store = openSqliteStore({ path: ':memory:', clock });
 *   return { store };
 * });
 * ```
 */
export function runStorageConformance(name: string, factory: StoreFactory, options: ConformanceOptions = {}): void {
  const n = options.concurrency ?? 100;
  const ctx = {} as Ctx;
  let cleanup: (() => Promise<void> | void) | undefined;

  const group = (g: ConformanceGroup, body: () => void) => {
    const reason = options.skip?.[g];
    if (reason !== undefined) describe.skip(`${g} (switched off: ${reason})`, body);
    else describe(g, body);
  };

  describe(`storage conformance: ${name}`, () => {
    beforeEach(async () => {
      ctx.clock = fixedClock(CONFORMANCE_T0);
      const inst = await factory({ clock: ctx.clock });
      ctx.store = inst.store;
      cleanup = inst.cleanup;
    });
    afterEach(async () => {
      await ctx.store.close();
      await cleanup?.();
    });

    group('enrolments', () => enrolmentTests(ctx));
    group('guard', () => guardTests(ctx));
    group('challenges', () => challengeTests(ctx));
    group('audit', () => auditTests(ctx));
    group('validation', () => validationTests(ctx));
    group('unicode', () => unicodeTests(ctx));
    group('limits', () => limitTests(ctx));
    group('concurrency', () => concurrencyTests(ctx, n));
    group('closed', () => closedTests(ctx));
  });
}

// ---------------------------------------------------------------------------------------------
// helpers

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const MIN = 60_000;

/** Awaits `run()` and asserts it rejected (not threw synchronously) with CloudMfaError `code`. */
async function expectCode(run: () => Promise<unknown>, code: StorageErrorCode | 'ERR_INVALID_ARGUMENT'): Promise<Error> {
  let p: Promise<unknown>;
  try {
    p = run();
  } catch (e) {
    throw new Error(`expected a rejected promise with ${code}, but the call threw synchronously: ${String((e as { code?: string }).code ?? e)}`);
  }
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a rejection with ${code}`).toBeDefined();
  expect(isCloudMfaError(err, code), `expected ${code}, got ${String((err as { code?: string }).code ?? err)}`).toBe(true);
  return err as Error;
}

const enrol = (c: Ctx, id: string, extra: Partial<{ userId: string; meta: JsonObject; ttl: number; secret: Uint8Array }> = {}) =>
  c.store.enrolments.create({
    id,
    userId: extra.userId ?? 'alice',
    secret: extra.secret ?? SECRET,
    meta: extra.meta ?? { label: 'Alice', mode: 'online' },
    expiresAt: c.clock() + (extra.ttl ?? 5 * MIN),
  });

const challenge = (c: Ctx, id: string, extra: Partial<{ enrolmentId: string; userId: string; ttl: number; meta: JsonObject }> = {}) =>
  c.store.challenges.create({
    id,
    enrolmentId: extra.enrolmentId ?? 'enr1',
    userId: extra.userId ?? 'alice',
    expiresAt: c.clock() + (extra.ttl ?? 2 * MIN),
    meta: extra.meta ?? { jws: 'eyJhbGciOiJFUzI1NiJ9.e30.sig', number: '42' },
  });

/** A string whose JSON object `{ k: s }` serializes to exactly `bytes` UTF-8 bytes. */
function jsonOfBytes(bytes: number, filler = 'x'): JsonObject {
  const overhead = '{"k":""}'.length;
  const unit = new TextEncoderless(filler).bytes;
  const count = Math.floor((bytes - overhead) / unit);
  const rest = bytes - overhead - count * unit;
  return { k: filler.repeat(count) + 'y'.repeat(rest) };
}

// UTF-8 length without TextEncoder (the suite may be bundled for Hermes one day).
class TextEncoderless {
  readonly bytes: number;
  constructor(s: string) {
    let n = 0;
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
    this.bytes = n;
  }
}

// A small seeded PRNG (mulberry32) for shuffles: tests never use unseeded randomness.
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// enrolments

function enrolmentTests(c: Ctx): void {
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

// ---------------------------------------------------------------------------------------------
// OTP guard

function guardTests(c: Ctx): void {
  it('has no state before first use', async () => {
    expect(await c.store.guard.get('enr1')).toBeNull();
  });

  it('accepts a step once, then only greater steps', async () => {
    const r1 = await c.store.guard.consume('enr1', 1000, { drift: -1 });
    expect(r1).toEqual({
      ok: true,
      state: { enrolmentId: 'enr1', lastStep: 1000, failures: 0, lockedUntil: null, drift: -1, lastUsedAt: c.clock() },
    });
    expect(await c.store.guard.get('enr1')).toEqual(r1.ok ? r1.state : null);
    expect(await c.store.guard.consume('enr1', 1000)).toEqual({ ok: false, reason: 'replayed', lastStep: 1000 });
    expect(await c.store.guard.consume('enr1', 999)).toEqual({ ok: false, reason: 'replayed', lastStep: 1000 });
    c.clock.advance(30_000);
    const r2 = await c.store.guard.consume('enr1', 1001);
    // Drift is kept when not given.
    expect(r2).toMatchObject({ ok: true, state: { lastStep: 1001, drift: -1, lastUsedAt: c.clock() } });
    expect(await c.store.guard.consume('enr1', 1005, { drift: 2 })).toMatchObject({ ok: true, state: { lastStep: 1005, drift: 2 } });
  });

  it('keeps guards of different enrolments apart', async () => {
    expect((await c.store.guard.consume('enr1', 5)).ok).toBe(true);
    expect((await c.store.guard.consume('enr2', 5)).ok).toBe(true);
    expect((await c.store.guard.consume('enr2', 5)).ok).toBe(false);
  });

  it('accepts step 0 and the largest safe integer (HOTP counters)', async () => {
    expect((await c.store.guard.consume('h', 0)).ok).toBe(true);
    expect(await c.store.guard.consume('h', 0)).toEqual({ ok: false, reason: 'replayed', lastStep: 0 });
    expect((await c.store.guard.consume('h', Number.MAX_SAFE_INTEGER - 1)).ok).toBe(true);
    expect((await c.store.guard.consume('h', Number.MAX_SAFE_INTEGER)).ok).toBe(true);
    expect(await c.store.guard.consume('h', Number.MAX_SAFE_INTEGER)).toEqual({ ok: false, reason: 'replayed', lastStep: Number.MAX_SAFE_INTEGER });
  });

  it('counts failures along the throttle curve (growing delays, then lockout)', async () => {
    const p = DEFAULT_THROTTLE_POLICY;
    const t = c.clock();
    for (let f = 1; f <= p.lockoutFailures; f++) {
      const s = await c.store.guard.recordFailure('enr1', p);
      expect(s.failures).toBe(f);
      const delay = throttleDelay(p, f);
      // The clock does not move: lockedUntil only grows.
      expect(s.lockedUntil).toBe(delay > 0 ? t + delay : null);
    }
    expect((await c.store.guard.get('enr1'))?.lockedUntil).toBe(t + p.lockoutMs);
    expect((await c.store.guard.get('enr1'))?.lastStep).toBeNull();
  });

  it('refuses codes while locked, accepts after the window and resets failures', async () => {
    const p: ThrottlePolicy = { freeFailures: 0, baseDelayMs: 10_000, maxDelayMs: 60_000, lockoutFailures: 3, lockoutMs: 600_000 };
    await c.store.guard.consume('enr1', 10);
    const s = await c.store.guard.recordFailure('enr1', p);
    expect(s).toMatchObject({ failures: 1, lockedUntil: c.clock() + 10_000, lastStep: 10 });
    expect(await c.store.guard.consume('enr1', 11)).toEqual({ ok: false, reason: 'locked', lockedUntil: c.clock() + 10_000, failures: 1 });
    // A replayed step while locked reports the lock (checked first).
    expect(await c.store.guard.consume('enr1', 10)).toMatchObject({ ok: false, reason: 'locked' });
    c.clock.advance(9_999);
    expect((await c.store.guard.consume('enr1', 11)).ok).toBe(false);
    c.clock.advance(1);
    expect(await c.store.guard.consume('enr1', 11)).toMatchObject({ ok: true, state: { lastStep: 11, failures: 0, lockedUntil: null } });
  });

  it('extends the lock to the later of the current lock and now + delay', async () => {
    const long: ThrottlePolicy = { freeFailures: 0, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 1, lockoutMs: 3_600_000 };
    const short: ThrottlePolicy = { freeFailures: 0, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 100, lockoutMs: 0 };
    const t = c.clock();
    await c.store.guard.recordFailure('enr1', long);
    expect((await c.store.guard.recordFailure('enr1', short)).lockedUntil).toBe(t + 3_600_000);
    // A free failure leaves the lock alone.
    const free: ThrottlePolicy = { freeFailures: 50, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 100, lockoutMs: 0 };
    expect((await c.store.guard.recordFailure('enr1', free)).lockedUntil).toBe(t + 3_600_000);
  });

  it('reset clears failures and the lock but keeps lastStep and drift', async () => {
    await c.store.guard.consume('enr1', 100, { drift: 1 });
    const lock: ThrottlePolicy = { freeFailures: 0, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 1, lockoutMs: 3_600_000 };
    await c.store.guard.recordFailure('enr1', lock);
    await c.store.guard.reset('enr1');
    expect(await c.store.guard.get('enr1')).toMatchObject({ lastStep: 100, drift: 1, failures: 0, lockedUntil: null });
    // Replay protection survives an unlock.
    expect(await c.store.guard.consume('enr1', 100)).toEqual({ ok: false, reason: 'replayed', lastStep: 100 });
    await c.store.guard.reset('never-used');
    expect(await c.store.guard.get('never-used')).toBeNull();
  });

  it('recordFailure creates the guard without a lastStep', async () => {
    expect(await c.store.guard.recordFailure('enr9', DEFAULT_THROTTLE_POLICY)).toEqual({
      enrolmentId: 'enr9',
      lastStep: null,
      failures: 1,
      lockedUntil: null,
      drift: null,
      lastUsedAt: null,
    });
    expect((await c.store.guard.consume('enr9', 0)).ok).toBe(true);
  });
}

// ---------------------------------------------------------------------------------------------
// push challenges

function challengeTests(c: Ctx): void {
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

// ---------------------------------------------------------------------------------------------
// audit

function auditTests(c: Ctx): void {
  it('appends events with the store clock and returns them', async () => {
    const e = await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { delta: 0 } });
    expect(e).toEqual({ id: e.id, at: c.clock(), kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { delta: 0 } });
    expect(typeof e.id).toBe('string');
    const bare = await c.store.audit.append({ kind: 'system.start' });
    expect(bare).toMatchObject({ enrolmentId: null, userId: null, detail: {} });
    expect(bare.id).not.toBe(e.id);
  });

  it('queries by enrolment, by user, both and none, newest first', async () => {
    await c.store.audit.append({ kind: 'enrolment.issued', enrolmentId: 'enr1', userId: 'alice' });
    c.clock.advance(1000);
    await c.store.audit.append({ kind: 'enrolment.issued', enrolmentId: 'enr2', userId: 'bob' });
    c.clock.advance(1000);
    await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice' });
    c.clock.advance(1000);
    await c.store.audit.append({ kind: 'enrolment.issued', enrolmentId: 'enr3', userId: 'alice' });
    const kinds = (p: { events: { kind: string; enrolmentId: string | null }[] }) => p.events.map((e) => `${e.kind}@${e.enrolmentId}`);
    expect(kinds(await c.store.audit.query({ enrolmentId: 'enr1' }))).toEqual(['otp.accepted@enr1', 'enrolment.issued@enr1']);
    expect(kinds(await c.store.audit.query({ userId: 'alice' }))).toEqual([
      'enrolment.issued@enr3',
      'otp.accepted@enr1',
      'enrolment.issued@enr1',
    ]);
    expect(kinds(await c.store.audit.query({ userId: 'alice', enrolmentId: 'enr3' }))).toEqual(['enrolment.issued@enr3']);
    expect(kinds(await c.store.audit.query({ userId: 'bob', enrolmentId: 'enr1' }))).toEqual([]);
    const all = await c.store.audit.query();
    expect(all.events.length).toBe(4);
    expect(all.cursor).toBeNull();
    expect(all.events.map((e) => e.at)).toEqual([3000, 2000, 1000, 0].map((d) => CONFORMANCE_T0 + d));
  });

  it('filters a time range: from inclusive, to exclusive', async () => {
    for (let i = 0; i < 5; i++) {
      await c.store.audit.append({ kind: 'otp.refused', enrolmentId: 'enr1', detail: { i } });
      c.clock.advance(1000);
    }
    const q = await c.store.audit.query({ enrolmentId: 'enr1', from: CONFORMANCE_T0 + 1000, to: CONFORMANCE_T0 + 3000 });
    expect(q.events.map((e) => e.detail.i)).toEqual([2, 1]);
    expect((await c.store.audit.query({ from: CONFORMANCE_T0 + 4000 })).events.map((e) => e.detail.i)).toEqual([4]);
    expect((await c.store.audit.query({ to: CONFORMANCE_T0 + 1000 })).events.map((e) => e.detail.i)).toEqual([0]);
  });

  it('orders events with the same time newest appended first', async () => {
    for (let i = 0; i < 5; i++) await c.store.audit.append({ kind: 'push.approved', enrolmentId: 'enr1', detail: { i } });
    expect((await c.store.audit.query({ enrolmentId: 'enr1' })).events.map((e) => e.detail.i)).toEqual([4, 3, 2, 1, 0]);
  });

  it('paginates with a cursor: no duplicates, no gaps, stable under newer appends', async () => {
    // 25 events over 13 distinct times, so pages split inside a run of equal times.
    for (let i = 0; i < 25; i++) {
      await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', detail: { i } });
      if (i % 2 === 1) c.clock.advance(1000);
    }
    await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'other', detail: { i: -1 } });
    const seen: number[] = [];
    let page = await c.store.audit.query({ enrolmentId: 'enr1', limit: 10 });
    seen.push(...page.events.map((e) => e.detail.i as number));
    expect(page.cursor).not.toBeNull();
    // Newer events arriving between pages do not shift the next page.
    c.clock.advance(1000);
    await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1', detail: { i: 100 } });
    let pages = 1;
    while (page.cursor !== null) {
      page = await c.store.audit.query({ enrolmentId: 'enr1', limit: 10, cursor: page.cursor });
      seen.push(...page.events.map((e) => e.detail.i as number));
      pages++;
      expect(pages).toBeLessThan(10);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, k) => 24 - k));
  });

  it('returns a null cursor when the page ends exactly at the last event', async () => {
    for (let i = 0; i < 10; i++) await c.store.audit.append({ kind: 'otp.accepted', enrolmentId: 'enr1' });
    const p = await c.store.audit.query({ enrolmentId: 'enr1', limit: 10 });
    expect(p.events.length).toBe(10);
    expect(p.cursor).toBeNull();
    const p5 = await c.store.audit.query({ enrolmentId: 'enr1', limit: 5 });
    const p5b = await c.store.audit.query({ enrolmentId: 'enr1', limit: 5, cursor: p5.cursor ?? undefined });
    expect(p5b.events.length).toBe(5);
    expect(p5b.cursor).toBeNull();
  });

  it('refuses a malformed cursor with ERR_STORAGE_INVALID', async () => {
    for (const cursor of ['', 'garbage!', 'x'.repeat(300), '{"at":1}'] as const) {
      await expectCode(() => c.store.audit.query({ cursor }), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => c.store.audit.query({ cursor: 42 as unknown as string }), 'ERR_STORAGE_INVALID');
  });
}

// ---------------------------------------------------------------------------------------------
// validation

function validationTests(c: Ctx): void {
  const badIds: unknown[] = ['', 'a b', 'a{b}', 'a/b', 'é', 'x'.repeat(129), 42, null, undefined, {}];
  const badUsers: unknown[] = ['', 'x'.repeat(257), 'a\u0000b', 'tab\tid', 'del\u007f', '\ud800', 'x\udc00y', 7, null];

  it('refuses malformed ids everywhere with ERR_STORAGE_INVALID', async () => {
    for (const id of badIds) {
      const s = id as string;
      await expectCode(() => c.store.enrolments.create({ id: s, userId: 'alice', secret: SECRET, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.get(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.redeem(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.revoke(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.update(s, { meta: {} }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.guard.get(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.guard.consume(s, 1), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.guard.recordFailure(s, DEFAULT_THROTTLE_POLICY), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.guard.reset(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.create({ id: s, enrolmentId: 'e', userId: 'u', expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.create({ id: 'c', enrolmentId: s, userId: 'u', expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.get(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.finalize(s, { status: 'approved' }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.listPending(s), 'ERR_STORAGE_INVALID');
      if (id !== null && id !== undefined) {
        await expectCode(() => c.store.audit.append({ kind: 'x', enrolmentId: s }), 'ERR_STORAGE_INVALID');
        await expectCode(() => c.store.audit.query({ enrolmentId: s }), 'ERR_STORAGE_INVALID');
      }
    }
    // Nothing was written by the refused calls.
    expect(await c.store.challenges.get('c')).toBeNull();
    expect((await c.store.audit.query()).events).toEqual([]);
  });

  it('refuses malformed user ids with ERR_STORAGE_INVALID', async () => {
    for (const u of badUsers) {
      const s = u as string;
      await expectCode(() => c.store.enrolments.create({ id: 'e1', userId: s, secret: SECRET, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.enrolments.listByUser(s), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: s, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID');
      if (u !== null) {
        await expectCode(() => c.store.audit.append({ kind: 'x', userId: s }), 'ERR_STORAGE_INVALID');
        await expectCode(() => c.store.audit.query({ userId: s }), 'ERR_STORAGE_INVALID');
      }
    }
    expect(await c.store.enrolments.get('e1')).toBeNull();
  });

  it('refuses bad secrets, expiries and meta values, and writes nothing', async () => {
    const base = { id: 'e1', userId: 'alice', secret: SECRET, expiresAt: c.clock() + MIN };
    const bad: Record<string, unknown>[] = [
      { secret: new Uint8Array(0) },
      { secret: Array.from(SECRET) },
      { secret: 'c2VjcmV0' },
      { secret: new Uint8Array(STORAGE_LIMITS.secretBytes + 1) },
      { expiresAt: c.clock() },
      { expiresAt: c.clock() - 1 },
      { expiresAt: c.clock() + 0.5 },
      { expiresAt: -1 },
      { expiresAt: STORAGE_LIMITS.maxTime + 1 },
      { expiresAt: String(c.clock() + MIN) },
      { expiresAt: Number.NaN },
      { meta: [] },
      { meta: 'text' },
      { meta: null },
      { meta: new Date(0) },
      { meta: { n: Number.NaN } },
      { meta: { n: Number.POSITIVE_INFINITY } },
      { meta: { f: () => 1 } },
      { meta: { u: undefined } },
      { meta: { big: 10n } },
      { meta: { nul: 'a\u0000b' } },
      { meta: { lone: '\ud83d' } },
      { meta: { ['\udc00']: 1 } },
      { meta: { m: new Map() } },
    ];
    for (const b of bad) {
      await expectCode(() => c.store.enrolments.create({ ...base, ...b } as never), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => c.store.enrolments.create(null as never), 'ERR_STORAGE_INVALID');
    expect(await c.store.enrolments.get('e1')).toBeNull();
    // redeem / update validate their changes before touching the record.
    await enrol(c, 'e2');
    await expectCode(() => c.store.enrolments.redeem('e2', { secret: new Uint8Array(0) }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.redeem('e2', { meta: [] as never }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.update('e2', { meta: { n: Number.NaN } }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.update('e2', { meta: {}, expectedVersion: 0 }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.enrolments.update('e2', { meta: {}, expectedVersion: 1.5 }), 'ERR_STORAGE_INVALID');
    expect(await c.store.enrolments.get('e2')).toMatchObject({ status: 'pending', version: 1 });
  });

  it('refuses bad steps, drifts, policies and limits', async () => {
    for (const step of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, Number.POSITIVE_INFINITY, '5', null]) {
      await expectCode(() => c.store.guard.consume('g', step as number), 'ERR_STORAGE_INVALID');
    }
    for (const drift of [100_001, -100_001, 0.5, Number.NaN, '1']) {
      await expectCode(() => c.store.guard.consume('g', 1, { drift: drift as number }), 'ERR_STORAGE_INVALID');
    }
    expect(await c.store.guard.get('g')).toBeNull();
    const p = DEFAULT_THROTTLE_POLICY;
    for (const bad of [
      null,
      {},
      { ...p, freeFailures: -1 },
      { ...p, lockoutFailures: p.freeFailures },
      { ...p, baseDelayMs: 1.5 },
      { ...p, maxDelayMs: -1 },
      { ...p, lockoutMs: 10 ** 15 },
    ]) {
      await expectCode(() => c.store.guard.recordFailure('g', bad as ThrottlePolicy), 'ERR_STORAGE_INVALID');
    }
    expect(await c.store.guard.get('g')).toBeNull();
    for (const limit of [0, -1, 1001, 1.5, Number.NaN, '10']) {
      const l = limit as number;
      await expectCode(() => c.store.enrolments.listByUser('alice', { limit: l }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.challenges.listPending('enr1', { limit: l }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.audit.query({ limit: l }), 'ERR_STORAGE_INVALID');
    }
    for (const t of [-1, 0.5, STORAGE_LIMITS.maxTime + 1, '0']) {
      await expectCode(() => c.store.audit.query({ from: t as number }), 'ERR_STORAGE_INVALID');
      await expectCode(() => c.store.audit.query({ to: t as number }), 'ERR_STORAGE_INVALID');
    }
  });

  it('refuses bad challenge input, transitions and audit events', async () => {
    await expectCode(() => c.store.challenges.create({ id: 'c1', enrolmentId: 'e', userId: 'u', expiresAt: c.clock() }), 'ERR_STORAGE_INVALID');
    await expectCode(
      () => c.store.challenges.create({ id: 'c1', enrolmentId: 'e', userId: 'u', expiresAt: c.clock() + MIN, meta: { x: Number.NaN } }),
      'ERR_STORAGE_INVALID',
    );
    expect(await c.store.challenges.get('c1')).toBeNull();
    await challenge(c, 'c2');
    for (const status of ['pending', 'expired', 'APPROVED', '', null]) {
      await expectCode(() => c.store.challenges.finalize('c2', { status: status as 'approved' }), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => c.store.challenges.finalize('c2', null as never), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.challenges.finalize('c2', { status: 'approved', outcome: [] as never }), 'ERR_STORAGE_INVALID');
    expect((await c.store.challenges.get('c2'))?.status).toBe('pending');
    for (const kind of ['', 'Otp.accepted', '1otp', 'otp accepted', 'x'.repeat(65), 'otp-accepted', 5, null]) {
      await expectCode(() => c.store.audit.append({ kind: kind as string }), 'ERR_STORAGE_INVALID');
    }
    await expectCode(() => c.store.audit.append({ kind: 'x', detail: [] as never }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.audit.append(null as never), 'ERR_STORAGE_INVALID');
    expect((await c.store.audit.query()).events).toEqual([]);
  });

  it('never echoes a value in an error message', async () => {
    const marker = 'S3CR3T-MARKER';
    const errors = [
      await expectCode(() => c.store.enrolments.create({ id: `${marker} x`, userId: 'u', secret: SECRET, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID'),
      await expectCode(() => c.store.enrolments.create({ id: 'e', userId: `${marker}\u0000`, secret: SECRET, expiresAt: c.clock() + MIN }), 'ERR_STORAGE_INVALID'),
      await expectCode(
        () => c.store.enrolments.create({ id: 'e', userId: 'u', secret: SECRET, expiresAt: c.clock() + MIN, meta: { k: `${marker}\u0000` } }),
        'ERR_STORAGE_INVALID',
      ),
      await expectCode(() => c.store.audit.query({ cursor: marker }), 'ERR_STORAGE_INVALID'),
    ];
    await enrol(c, 'dup', { secret: new Uint8Array([0x53, 0x33]) });
    errors.push(await expectCode(() => enrol(c, 'dup'), 'ERR_STORAGE_CONFLICT'));
    for (const e of errors) {
      expect(e.message).not.toContain(marker);
      expect(JSON.stringify(e.cause ?? null)).not.toContain(marker);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// unicode

function unicodeTests(c: Ctx): void {
  const users = ['zoë@example.com', 'ユーザー', 'مستخدم', '👩🏽‍💻 dev', 'e\u0301', '\u00e9', 'O\'Brien "quoted" \\ back', 'line\u2028sep'];

  it('stores and finds user ids in any script, byte for byte (no normalization)', async () => {
    for (const [i, userId] of users.entries()) {
      await enrol(c, `e${i}`, { userId });
      await challenge(c, `c${i}`, { userId, enrolmentId: `e${i}` });
      await c.store.audit.append({ kind: 'enrolment.issued', enrolmentId: `e${i}`, userId });
    }
    for (const [i, userId] of users.entries()) {
      const list = await c.store.enrolments.listByUser(userId);
      expect(list.map((e) => e.id)).toEqual([`e${i}`]);
      expect(list[0]?.userId).toBe(userId);
      expect((await c.store.challenges.get(`c${i}`))?.userId).toBe(userId);
      const q = await c.store.audit.query({ userId });
      expect(q.events.map((e) => e.userId)).toEqual([userId]);
    }
  });

  it('round-trips unicode JSON strings and keys', async () => {
    const meta: JsonObject = {
      label: 'Zoë — ACME 株式会社',
      emoji: '🔐👍🏿',
      rtl: 'שלום',
      combining: 'e\u0301',
      escapes: '"\\/\b\f\n\r\t\u2028\u2029',
      control: '\u0001\u001f',
      ['ключ']: { ['🔑']: ['ü', 1.5, -0.25, 1e21, true, null] },
      deep: { a: { b: { c: { d: 'e' } } } },
    };
    await enrol(c, 'u1', { meta });
    expect((await c.store.enrolments.get('u1'))?.meta).toEqual(meta);
    await challenge(c, 'c1', { meta });
    expect((await c.store.challenges.get('c1'))?.meta).toEqual(meta);
    const r = await c.store.challenges.finalize('c1', { status: 'denied', outcome: { note: '怪しい 🚨' } });
    expect(r.ok && r.challenge.outcome).toEqual({ note: '怪しい 🚨' });
    expect((await c.store.challenges.get('c1'))?.outcome).toEqual({ note: '怪しい 🚨' });
    await c.store.audit.append({ kind: 'push.suspicious', detail: meta });
    expect((await c.store.audit.query()).events[0]?.detail).toEqual(meta);
  });

  it('round-trips every byte value in a secret', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    await enrol(c, 'b1', { secret: all });
    expect((await c.store.enrolments.get('b1'))?.secret).toEqual(all);
    const rev = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    await c.store.enrolments.update('b1', { secret: rev });
    expect((await c.store.enrolments.get('b1'))?.secret).toEqual(rev);
  });
}

// ---------------------------------------------------------------------------------------------
// limits

function limitTests(c: Ctx): void {
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

// ---------------------------------------------------------------------------------------------
// concurrency

function concurrencyTests(c: Ctx, n: number): void {
  it(`${n} concurrent consumes of the same step: exactly one is accepted`, async () => {
    await c.store.guard.consume('enr1', 99);
    const results = await Promise.all(Array.from({ length: n }, () => c.store.guard.consume('enr1', 100)));
    expect(results.filter((r) => r.ok).length).toBe(1);
    expect(results.filter((r) => !r.ok && r.reason === 'replayed').length).toBe(n - 1);
    expect((await c.store.guard.get('enr1'))?.lastStep).toBe(100);
  });

  it(`${n} concurrent first-ever consumes of a fresh guard: exactly one is accepted`, async () => {
    const results = await Promise.all(Array.from({ length: n }, () => c.store.guard.consume('fresh', 7)));
    expect(results.filter((r) => r.ok).length).toBe(1);
  });

  it(`${n} concurrent consumes of shuffled steps: the last step wins, accepted steps never repeat`, async () => {
    const rnd = seeded(42);
    const steps = Array.from({ length: n }, (_, i) => i + 1);
    for (let i = steps.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [steps[i], steps[j]] = [steps[j]!, steps[i]!];
    }
    const results = await Promise.all(steps.map((s) => c.store.guard.consume('mix', s)));
    const accepted = steps.filter((_, i) => results[i]?.ok);
    expect(accepted).toContain(n);
    expect(new Set(accepted).size).toBe(accepted.length);
    expect((await c.store.guard.get('mix'))?.lastStep).toBe(n);
  });

  it(`${n} concurrent failures are all counted`, async () => {
    const p: ThrottlePolicy = { freeFailures: 1000, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 100_000, lockoutMs: 0 };
    await Promise.all(Array.from({ length: n }, () => c.store.guard.recordFailure('f', p)));
    expect((await c.store.guard.get('f'))?.failures).toBe(n);
  });

  it(`${n} concurrent redemptions of the same enrolment: exactly one wins`, async () => {
    await enrol(c, 'enr1');
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => c.store.enrolments.redeem('enr1', { meta: { device: `d${i}` } })),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners.length).toBe(1);
    expect(results.filter((r) => !r.ok && r.reason === 'already_active').length).toBe(n - 1);
    const final = await c.store.enrolments.get('enr1');
    expect(final?.meta).toEqual(winners[0]?.ok ? winners[0].enrolment.meta : undefined);
    expect(final?.version).toBe(2);
  });

  it(`${n} concurrent creates of the same id: one succeeds, the rest conflict`, async () => {
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => enrol(c, 'same', { userId: `user${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    expect(results.filter((r) => r.status === 'rejected' && isCloudMfaError(r.reason, 'ERR_STORAGE_CONFLICT')).length).toBe(n - 1);
  });

  it(`${n} concurrent finalisations of the same challenge: exactly one wins, the rest see its status`, async () => {
    await challenge(c, 'ch1');
    const statuses = ['approved', 'denied', 'cancelled'] as const;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => c.store.challenges.finalize('ch1', { status: statuses[i % 3]!, outcome: { i } })),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners.length).toBe(1);
    const winner = winners[0]!;
    if (!winner.ok) return;
    for (const r of results) {
      if (r.ok) continue;
      expect(r).toMatchObject({ reason: 'already_final', status: winner.challenge.status });
    }
    expect(await c.store.challenges.get('ch1')).toEqual(winner.challenge);
  });

  it(`${n} concurrent audit appends are all kept with distinct ids`, async () => {
    const events = await Promise.all(Array.from({ length: n }, (_, i) => c.store.audit.append({ kind: 'otp.refused', enrolmentId: 'enr1', detail: { i } })));
    expect(new Set(events.map((e) => e.id)).size).toBe(n);
    const all: number[] = [];
    let cursor: string | null | undefined;
    do {
      const page: { events: { detail: JsonObject }[]; cursor: string | null } = await c.store.audit.query({
        enrolmentId: 'enr1',
        limit: 30,
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.events.map((e) => e.detail.i as number));
      cursor = page.cursor;
    } while (cursor);
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
}

// ---------------------------------------------------------------------------------------------
// closed

function closedTests(c: Ctx): void {
  it('rejects every operation with ERR_STORAGE_UNAVAILABLE after close (close is idempotent)', async () => {
    await enrol(c, 'e1');
    await challenge(c, 'c1');
    await c.store.close();
    await c.store.close();
    const U = 'ERR_STORAGE_UNAVAILABLE';
    await expectCode(() => enrol(c, 'e2'), U);
    await expectCode(() => c.store.enrolments.get('e1'), U);
    await expectCode(() => c.store.enrolments.listByUser('alice'), U);
    await expectCode(() => c.store.enrolments.redeem('e1'), U);
    await expectCode(() => c.store.enrolments.update('e1', { meta: {} }), U);
    await expectCode(() => c.store.enrolments.revoke('e1'), U);
    await expectCode(() => c.store.guard.get('e1'), U);
    await expectCode(() => c.store.guard.consume('e1', 1), U);
    await expectCode(() => c.store.guard.recordFailure('e1', DEFAULT_THROTTLE_POLICY), U);
    await expectCode(() => c.store.guard.reset('e1'), U);
    await expectCode(() => challenge(c, 'c2'), U);
    await expectCode(() => c.store.challenges.get('c1'), U);
    await expectCode(() => c.store.challenges.finalize('c1', { status: 'approved' }), U);
    await expectCode(() => c.store.challenges.listPending('enr1'), U);
    await expectCode(() => c.store.audit.append({ kind: 'x' }), U);
    await expectCode(() => c.store.audit.query(), U);
  });
}

// ---------------------------------------------------------------------------------------------
// client secure store

/**
 * Makes a fresh, empty {@link SecureKeyValueStore}.
 *
 * @example
 * ```ts
 * const f: SecureStoreFactory = () => ({ store: createMemorySecureStore() });
 * ```
 */
export type SecureStoreFactory = () =>
  | Promise<{ store: SecureKeyValueStore; cleanup?: () => Promise<void> | void }>
  | { store: SecureKeyValueStore; cleanup?: () => Promise<void> | void };

/**
 * The conformance suite of the client {@link SecureKeyValueStore} seam: round trips, replace,
 * delete, copies, the key and value bounds.
 *
 * @example
 * ```ts
 * runSecureStoreConformance('memory', () => ({ store: createMemorySecureStore() }));
 * ```
 */
export function runSecureStoreConformance(name: string, factory: SecureStoreFactory): void {
  describe(`secure store conformance: ${name}`, () => {
    let store: SecureKeyValueStore;
    let cleanup: (() => Promise<void> | void) | undefined;
    beforeEach(async () => {
      const inst = await factory();
      store = inst.store;
      cleanup = inst.cleanup;
    });
    afterEach(async () => {
      await cleanup?.();
    });

    it('gets null for a missing key, then what was set, then the replacement', async () => {
      expect(await store.get('vault.header')).toBeNull();
      await store.set('vault.header', new Uint8Array([1, 2, 3]));
      expect(await store.get('vault.header')).toEqual(new Uint8Array([1, 2, 3]));
      await store.set('vault.header', new Uint8Array([4]));
      expect(await store.get('vault.header')).toEqual(new Uint8Array([4]));
      expect(await store.get('vault.slots')).toBeNull();
    });

    it('deletes, reporting whether the key existed', async () => {
      await store.set('k', new Uint8Array([1]));
      expect(await store.delete('k')).toBe(true);
      expect(await store.get('k')).toBeNull();
      expect(await store.delete('k')).toBe(false);
    });

    it('stores empty, all-byte and maximum-size values, and copies them', async () => {
      await store.set('empty', new Uint8Array(0));
      expect(await store.get('empty')).toEqual(new Uint8Array(0));
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await store.set('all', all);
      all[0] = 9;
      const read = await store.get('all');
      expect(read).toEqual(Uint8Array.from({ length: 256 }, (_, i) => i));
      read![1] = 9;
      expect((await store.get('all'))![1]).toBe(1);
      const max = new Uint8Array(STORAGE_LIMITS.clientValueBytes).fill(0x5a);
      await store.set('max', max);
      expect(await store.get('max')).toEqual(max);
    });

    it('accepts keys at the maximum length and refuses bad keys and values with ERR_STORAGE_INVALID', async () => {
      const longKey = 'k'.repeat(STORAGE_LIMITS.clientKeyLength);
      await store.set(longKey, new Uint8Array([1]));
      expect(await store.get(longKey)).toEqual(new Uint8Array([1]));
      for (const key of ['', `${longKey}k`, 'a b', 'ключ', 'a/b', 'a:b', 5, null]) {
        await expectCode(() => store.get(key as string), 'ERR_STORAGE_INVALID');
        await expectCode(() => store.set(key as string, new Uint8Array(1)), 'ERR_STORAGE_INVALID');
        await expectCode(() => store.delete(key as string), 'ERR_STORAGE_INVALID');
      }
      for (const value of [new Uint8Array(STORAGE_LIMITS.clientValueBytes + 1), [1, 2], 'AQI', null]) {
        await expectCode(() => store.set('v', value as Uint8Array), 'ERR_STORAGE_INVALID');
      }
      expect(await store.get('v')).toBeNull();
    });
  });
}
