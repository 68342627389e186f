import { expect, it } from 'vitest';
import { DEFAULT_THROTTLE_POLICY, type ThrottlePolicy } from '../throttle.js';
import type { AttemptResult, OtpGuardState } from '../types.js';
import { type Ctx, expectCode, MIN } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// guard.attempt (docs/storage.md section 5): the atomic lock check and count at the start of one
// OTP attempt. Refused while locked, writing nothing; otherwise exactly recordFailure.

const lockAtFirst: ThrottlePolicy = { freeFailures: 0, baseDelayMs: 10_000, maxDelayMs: 60_000, lockoutFailures: 3, lockoutMs: 600_000 };

/** The state without its id, to compare two guards counted the same way. */
const body = (s: OtpGuardState | null) => {
  if (s === null) return null;
  const { enrolmentId: _id, ...rest } = s;
  return rest;
};

export function attemptTests(c: Ctx): void {
  it('attempt on a fresh guard counts the failure and creates the guard without a lastStep', async () => {
    const r = await c.store.guard.attempt('enr1', DEFAULT_THROTTLE_POLICY);
    const state = { enrolmentId: 'enr1', lastStep: null, failures: 1, lockedUntil: null, drift: null, lastUsedAt: null };
    expect(r).toEqual({ ok: true, state });
    expect(await c.store.guard.get('enr1')).toEqual(state);
    // The guard it created is an ordinary one: a step is accepted and clears the count.
    expect(await c.store.guard.consume('enr1', 0)).toMatchObject({ ok: true, state: { lastStep: 0, failures: 0 } });
  });

  it('attempt on a locked guard answers locked and writes nothing; after the lock it counts again', async () => {
    const t = c.clock();
    await c.store.guard.consume('enr1', 10, { drift: 1 });
    c.clock.advance(1000);
    const first = await c.store.guard.attempt('enr1', lockAtFirst);
    expect(first).toEqual({
      ok: true,
      state: { enrolmentId: 'enr1', lastStep: 10, failures: 1, lockedUntil: t + 1000 + 10_000, drift: 1, lastUsedAt: t },
    });
    const before = await c.store.guard.get('enr1');
    const locked: AttemptResult = { ok: false, reason: 'locked', lockedUntil: t + 11_000, failures: 1 };
    // Whatever the policy: one that would lock out on this count must not extend the lock either.
    expect(await c.store.guard.attempt('enr1', lockAtFirst)).toEqual(locked);
    expect(await c.store.guard.attempt('enr1', { ...lockAtFirst, lockoutFailures: 1 })).toEqual(locked);
    c.clock.set(t + 11_000 - 1);
    expect(await c.store.guard.attempt('enr1', lockAtFirst)).toEqual(locked);
    expect(await c.store.guard.get('enr1')).toEqual(before);
    // The lock ended: counted again (2nd failure: 20 s from now).
    c.clock.set(t + 11_000);
    expect(await c.store.guard.attempt('enr1', lockAtFirst)).toEqual({
      ok: true,
      state: { enrolmentId: 'enr1', lastStep: 10, failures: 2, lockedUntil: t + 11_000 + 20_000, drift: 1, lastUsedAt: t },
    });
    expect(await c.store.guard.get('enr1')).toMatchObject({ failures: 2, lockedUntil: t + 31_000 });
    // A lock that is over is not refused even when failures are many (the 3rd locks out).
    c.clock.set(t + 31_000);
    expect(await c.store.guard.attempt('enr1', lockAtFirst)).toMatchObject({ ok: true, state: { failures: 3, lockedUntil: t + 31_000 + 600_000 } });
  });

  it('a refused attempt does not move the forgetting of a time-based guard (nothing written)', async () => {
    const t = c.clock();
    const p: ThrottlePolicy = { ...lockAtFirst, forgetAfterMs: 60_000 };
    // Locked until t + 10 s, forgotten at t + 70 s.
    expect(await c.store.guard.attempt('i_1', p)).toMatchObject({ ok: true, state: { failures: 1, lockedUntil: t + 10_000 } });
    // Refused attempts with policies that would, if written, clear the expiry (no forgetAfterMs)
    // or push it later (a longer window).
    const { forgetAfterMs: _f, ...plain } = p;
    c.clock.set(t + 5_000);
    expect(await c.store.guard.attempt('i_1', plain)).toMatchObject({ ok: false, reason: 'locked' });
    expect(await c.store.guard.attempt('i_1', { ...p, forgetAfterMs: 3_600_000 })).toMatchObject({ ok: false, reason: 'locked' });
    c.clock.set(t + 70_000 - 1);
    expect(await c.store.guard.get('i_1')).toMatchObject({ failures: 1 });
    // Forgotten: an attempt (with no read before it) counts from zero, as on a fresh guard.
    c.clock.set(t + 70_000);
    expect(await c.store.guard.attempt('i_1', p)).toEqual({
      ok: true,
      state: { enrolmentId: 'i_1', lastStep: null, failures: 1, lockedUntil: t + 80_000, drift: null, lastUsedAt: null },
    });
  });

  // The same schedule of counts and clock moves on two guards: one counted by attempt, the other
  // by the get-then-recordFailure it replaces. They must agree at every point.
  const policies: Record<string, ThrottlePolicy> = {
    default: DEFAULT_THROTTLE_POLICY,
    'capped delays, short lockout': { freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 4000, lockoutFailures: 7, lockoutMs: 30_000 },
    'time-based (forgetAfterMs)': { freeFailures: 1, baseDelayMs: 5000, maxDelayMs: 20_000, lockoutFailures: 6, lockoutMs: 60_000, forgetAfterMs: 45_000 },
    'no delay at all': { freeFailures: 99, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 100, lockoutMs: 0, forgetAfterMs: 1 },
  };
  for (const [name, p] of Object.entries(policies)) {
    it(`attempt counts exactly as get + recordFailure (policy: ${name}), expiry and forgetting included`, async () => {
      let counted = 0;
      let refused = 0;
      let forgotten = 0;
      // Clock moves (ms, relative to the current lock or to now): 0, to lockedUntil - 1, to
      // lockedUntil, past the forgetting window, small steps.
      const moves = [0, 0, -1, 'lock', 0, 'lock', 1, -1, 'lock', 'forget', 0, 'lock', 'lock', 250, 'lock', -1, 'lock', 'lock', 'forget', 'lock', 'lock', 'lock', 'lock', 'lock'] as const;
      for (const move of moves) {
        const cur = await c.store.guard.get('r');
        if (move === 'lock' && cur?.lockedUntil != null && cur.lockedUntil > c.clock()) c.clock.set(cur.lockedUntil);
        else if (move === -1 && cur?.lockedUntil != null && cur.lockedUntil - 1 > c.clock()) c.clock.set(cur.lockedUntil - 1);
        else if (move === 'forget') c.clock.set(Math.max(c.clock(), cur?.lockedUntil ?? 0) + (p.forgetAfterMs ?? 3_600_000));
        else if (typeof move === 'number' && move > 0) c.clock.advance(move);
        // No read of 'a' before its attempt: a forgotten row must be seen as such by attempt itself.
        const r = await c.store.guard.get('r');
        if (r === null && cur !== null) forgotten++;
        const a = await c.store.guard.attempt('a', p);
        if (r?.lockedUntil != null && c.clock() < r.lockedUntil) {
          refused++;
          expect(a).toEqual({ ok: false, reason: 'locked', lockedUntil: r.lockedUntil, failures: r.failures });
        } else {
          counted++;
          const s = await c.store.guard.recordFailure('r', p);
          expect(a).toEqual({ ok: true, state: { ...s, enrolmentId: 'a' } });
        }
        expect(body(await c.store.guard.get('a'))).toEqual(body(await c.store.guard.get('r')));
      }
      // The schedule really went through both branches (and forgot a time-based guard).
      expect(counted).toBeGreaterThan(5);
      if (p.baseDelayMs > 0) expect(refused).toBeGreaterThan(0);
      if (p.forgetAfterMs !== undefined) expect(forgotten).toBeGreaterThan(0);
    });
  }

  it('attempt never forgets a guard that accepted a step, as recordFailure', async () => {
    const p: ThrottlePolicy = { freeFailures: 1, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 100, lockoutMs: 0, forgetAfterMs: 60_000 };
    await c.store.guard.consume('enr1', 5);
    expect(await c.store.guard.attempt('enr1', p)).toMatchObject({ ok: true, state: { lastStep: 5, failures: 1 } });
    // Counted with a window, then accepted a step: the window no longer applies.
    await c.store.guard.attempt('enr2', p);
    expect((await c.store.guard.consume('enr2', 9)).ok).toBe(true);
    c.clock.advance(366 * 24 * 3600 * 1000);
    expect(await c.store.guard.get('enr1')).toMatchObject({ lastStep: 5, failures: 1 });
    expect(await c.store.guard.get('enr2')).toMatchObject({ lastStep: 9, failures: 0 });
  });

  it('attempt validates its arguments as recordFailure does, before any write', async () => {
    const I = 'ERR_STORAGE_INVALID';
    await c.store.guard.attempt('enr1', DEFAULT_THROTTLE_POLICY);
    const before = await c.store.guard.get('enr1');
    for (const id of ['', 'a b', 'a/b', 'é', 'x'.repeat(129), 42, null, undefined, {}]) {
      await expectCode(() => c.store.guard.recordFailure(id as string, DEFAULT_THROTTLE_POLICY), I);
      await expectCode(() => c.store.guard.attempt(id as string, DEFAULT_THROTTLE_POLICY), I);
    }
    const p = DEFAULT_THROTTLE_POLICY;
    for (const bad of [
      null,
      undefined,
      'policy',
      {},
      { ...p, freeFailures: -1 },
      { ...p, lockoutFailures: p.freeFailures },
      { ...p, baseDelayMs: 1.5 },
      { ...p, maxDelayMs: -1 },
      { ...p, lockoutMs: 10 ** 15 },
      { ...p, forgetAfterMs: 0 },
      { ...p, forgetAfterMs: '60000' },
    ]) {
      for (const id of ['enr1', 'fresh']) {
        await expectCode(() => c.store.guard.recordFailure(id, bad as ThrottlePolicy), I);
        await expectCode(() => c.store.guard.attempt(id, bad as ThrottlePolicy), I);
      }
    }
    expect(await c.store.guard.get('enr1')).toEqual(before);
    expect(await c.store.guard.get('fresh')).toBeNull();
    await c.store.close();
    await expectCode(() => c.store.guard.attempt('enr1', DEFAULT_THROTTLE_POLICY), 'ERR_STORAGE_UNAVAILABLE');
  });

  it('attempt stays in its organisation', async () => {
    const a = c.store.forOrganisation('org-a');
    const b = c.store.forOrganisation('org-b');
    expect(await a.guard.attempt('enr1', lockAtFirst)).toMatchObject({ ok: true, state: { failures: 1 } });
    expect(await a.guard.attempt('enr1', lockAtFirst)).toMatchObject({ ok: false, reason: 'locked' });
    expect(await b.guard.get('enr1')).toBeNull();
    expect(await c.store.guard.get('enr1')).toBeNull();
    expect(await b.guard.attempt('enr1', lockAtFirst)).toMatchObject({ ok: true, state: { failures: 1 } });
    expect(await c.store.guard.attempt('enr1', lockAtFirst)).toMatchObject({ ok: true, state: { failures: 1 } });
    c.clock.advance(MIN);
    expect(await a.guard.get('enr1')).toMatchObject({ failures: 1 });
  });
}

// ---------------------------------------------------------------------------------------------
// Concurrency: the window between a lock check and the count is closed.

export function attemptConcurrencyTests(c: Ctx, n: number): void {
  it(`${n} concurrent attempts on one fresh guard: exactly freeFailures + 1 are counted, the count that locks is the last`, async () => {
    const p: ThrottlePolicy = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 10, lockoutMs: 60_000 };
    const t = c.clock();
    const results = await Promise.all(Array.from({ length: n }, () => c.store.guard.attempt('enr1', p)));
    const ok = results.flatMap((r) => (r.ok ? [r.state] : []));
    expect(ok.map((s) => s.failures).sort((x, y) => x - y)).toEqual([1, 2, 3, 4]);
    expect(ok.find((s) => s.failures === 4)?.lockedUntil).toBe(t + 1000);
    for (const r of results) if (!r.ok) expect(r).toEqual({ ok: false, reason: 'locked', lockedUntil: t + 1000, failures: 4 });
    expect(results.filter((r) => !r.ok)).toHaveLength(n - 4);
    expect(await c.store.guard.get('enr1')).toMatchObject({ failures: 4, lockedUntil: t + 1000 });
  });

  it(`${n} concurrent attempts on a guard that accepted a step: the same, and lastStep is kept`, async () => {
    const p: ThrottlePolicy = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 10, lockoutMs: 60_000 };
    await c.store.guard.consume('enr1', 50);
    const results = await Promise.all(Array.from({ length: n }, () => c.store.guard.attempt('enr1', p)));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(await c.store.guard.get('enr1')).toMatchObject({ lastStep: 50, failures: 4 });
  });
}
