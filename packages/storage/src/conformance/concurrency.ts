import { isCloudMfaError } from '@cloudmfa/core';
import { expect, it } from 'vitest';
import { type ThrottlePolicy } from '../throttle.js';
import type { JsonObject } from '../types.js';
import { type Ctx, enrol, challenge, seeded } from './_shared.js';

// ---------------------------------------------------------------------------------------------
// concurrency

export function concurrencyTests(c: Ctx, n: number): void {
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

  // The server's rate limits (docs/server.md section 12.2) count each request in a time-based
  // guard and admit it when the count it got back is within the limit: under a parallel burst,
  // every caller must see its own count, or more than `limit` would pass.
  it(`${n} concurrent counts on a time-based guard (a rate-limit window): each sees a distinct count, then it is forgotten`, async () => {
    const p: ThrottlePolicy = { freeFailures: 99_999, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 100_000, lockoutMs: 0, forgetAfterMs: 60_000 };
    const counts = (await Promise.all(Array.from({ length: n }, () => c.store.guard.recordFailure('l_window', p)))).map((s) => s.failures);
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    c.clock.advance(60_000 - 1);
    expect((await c.store.guard.get('l_window'))?.failures).toBe(n);
    c.clock.advance(1);
    expect(await c.store.guard.get('l_window')).toBeNull();
    expect((await c.store.guard.recordFailure('l_window', p)).failures).toBe(1);
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

  it(`${n} concurrent creates around a pauseUser: each challenge is either cancelled by the pause or refused; none stays pending`, async () => {
    const t0 = c.clock();
    const creates = Array.from({ length: n }, (_, i) =>
      c.store.challenges.create({ id: `cc${i}`, enrolmentId: i % 2 ? 'enr1' : 'enr2', userId: 'alice', expiresAt: t0 + 2 * 60_000 }),
    );
    const pause = c.store.challenges.pauseUser('alice', { until: t0 + 10 * 60_000 });
    const results = await Promise.all(creates);
    const paused = await pause;
    const accepted = results.filter((r) => r.ok).length;
    expect(paused.cancelled).toBe(accepted);
    for (const r of results) if (!r.ok) expect(r).toEqual({ ok: false, reason: 'paused', pausedUntil: t0 + 10 * 60_000 });
    expect(await c.store.challenges.listPending('enr1', { limit: 1000 })).toEqual([]);
    expect(await c.store.challenges.listPending('enr2', { limit: 1000 })).toEqual([]);
    for (let i = 0; i < n; i++) {
      const ch = await c.store.challenges.get(`cc${i}`);
      if (results[i]!.ok) expect(ch?.status).toBe('cancelled');
      else if (ch) expect(ch.status).not.toBe('pending');
    }
  });
}
