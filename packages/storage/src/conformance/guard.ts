import { expect, it } from 'vitest';
import { DEFAULT_THROTTLE_POLICY, type ThrottlePolicy, throttleDelay } from '../throttle.js';
import { type Ctx, expectCode } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// OTP guard

export function guardTests(c: Ctx): void {
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

  it('unlockThrough: a lock ending by then does not refuse a new step, which clears it; a replay never lowers failures', async () => {
    const t0 = c.clock();
    const p: ThrottlePolicy = { freeFailures: 0, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 100, lockoutMs: 1000 };
    await c.store.guard.consume('enr1', 10);
    await c.store.guard.recordFailure('enr1', p);
    const locked = await c.store.guard.recordFailure('enr1', p);
    expect(locked).toMatchObject({ failures: 2, lockedUntil: t0 + 1000 });
    // A replayed (or equal) step changes nothing, whatever unlockThrough says.
    expect(await c.store.guard.consume('enr1', 10, { unlockThrough: t0 + 1000 })).toEqual({ ok: false, reason: 'replayed', lastStep: 10 });
    expect(await c.store.guard.consume('enr1', 9, { unlockThrough: t0 + 1000 })).toEqual({ ok: false, reason: 'replayed', lastStep: 10 });
    expect(await c.store.guard.get('enr1')).toMatchObject({ lastStep: 10, failures: 2, lockedUntil: t0 + 1000 });
    // A lock ending after unlockThrough still refuses.
    expect(await c.store.guard.consume('enr1', 11, { unlockThrough: t0 + 999 })).toEqual({ ok: false, reason: 'locked', lockedUntil: t0 + 1000, failures: 2 });
    expect(await c.store.guard.consume('enr1', 11)).toEqual({ ok: false, reason: 'locked', lockedUntil: t0 + 1000, failures: 2 });
    // A new step with the lock covered: accepted, failures and lock cleared in the same step.
    const ok = await c.store.guard.consume('enr1', 11, { drift: 1, unlockThrough: t0 + 1000 });
    expect(ok).toEqual({ ok: true, state: { enrolmentId: 'enr1', lastStep: 11, failures: 0, lockedUntil: null, drift: 1, lastUsedAt: t0 } });
    expect(await c.store.guard.get('enr1')).toEqual({ enrolmentId: 'enr1', lastStep: 11, failures: 0, lockedUntil: null, drift: 1, lastUsedAt: t0 });
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
// Time-based throttles (docs/storage.md section 5.2): a guard counted with `forgetAfterMs`
// that never accepted a step is forgotten after its window.

export function forgetTests(c: Ctx): void {
  const p: ThrottlePolicy = { freeFailures: 1, baseDelayMs: 10_000, maxDelayMs: 10_000, lockoutFailures: 100, lockoutMs: 0, forgetAfterMs: 60_000 };

  it('forgets a throttle guard forgetAfterMs after its last failure or the end of its lock', async () => {
    const t = c.clock();
    expect(await c.store.guard.recordFailure('i_1', p)).toMatchObject({ failures: 1, lockedUntil: null });
    c.clock.advance(30_000);
    // The second failure locks until t + 40 s: the window now runs from the end of the lock.
    expect(await c.store.guard.recordFailure('i_1', p)).toMatchObject({ failures: 2, lockedUntil: t + 40_000 });
    c.clock.set(t + 40_000 + 60_000 - 1);
    expect(await c.store.guard.get('i_1')).toMatchObject({ failures: 2 });
    c.clock.advance(1);
    expect(await c.store.guard.get('i_1')).toBeNull();
    // Counting starts again from zero.
    expect(await c.store.guard.recordFailure('i_1', p)).toMatchObject({ failures: 1, lockedUntil: null });
  });

  it('never forgets a guard that accepted a step, nor one counted without forgetAfterMs', async () => {
    await c.store.guard.consume('enr1', 5);
    await c.store.guard.recordFailure('enr1', p);
    const { forgetAfterMs: _f, ...plain } = p;
    await c.store.guard.recordFailure('enr2', plain);
    // Counted with a window, then accepted a step: the window no longer applies.
    await c.store.guard.recordFailure('enr3', p);
    expect((await c.store.guard.consume('enr3', 9)).ok).toBe(true);
    c.clock.advance(366 * 24 * 3600 * 1000);
    expect(await c.store.guard.get('enr1')).toMatchObject({ lastStep: 5, failures: 1 });
    expect(await c.store.guard.get('enr2')).toMatchObject({ failures: 1 });
    expect(await c.store.guard.get('enr3')).toMatchObject({ lastStep: 9, failures: 0 });
    expect(await c.store.guard.consume('enr1', 5)).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('a reset of a forgotten guard does not bring it back', async () => {
    await c.store.guard.recordFailure('i_1', p);
    c.clock.advance(60_000);
    await c.store.guard.reset('i_1');
    expect(await c.store.guard.get('i_1')).toBeNull();
  });

  it('refuses a forgetAfterMs that is not a positive integer', async () => {
    await expectCode(() => c.store.guard.recordFailure('i_1', { ...p, forgetAfterMs: 0 }), 'ERR_STORAGE_INVALID');
    await expectCode(() => c.store.guard.recordFailure('i_1', { ...p, forgetAfterMs: 1.5 }), 'ERR_STORAGE_INVALID');
  });
}
