import { fixedClock } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { createMemoryGuard } from '../src/_memoryGuard.js';
import { readClock } from '../src/validate.js';

// The memory store's purge of forgotten throttle rows (issue 11 §3): one failure from each of
// many addresses, each forgotten a minute later, must not grow the map without bound.
describe('memory guard: forgotten throttle rows are removed', () => {
  const policy = { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 10, lockoutMs: 1000, forgetAfterMs: 60_000 };

  it('holds at most twice the live rows (plus the first sweep) under a stream of new addresses', async () => {
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const guard = createMemoryGuard(async (body) => body(readClock(clock)));
    let peak = 0;
    for (let i = 0; i < 5000; i++) {
      await guard.store.recordFailure(`i_${i}`, policy);
      peak = Math.max(peak, guard.size());
      clock.advance(1000); // 60 addresses live at any time
    }
    expect(peak).toBeLessThanOrEqual(2 * 61 + 64);
  });

  it('keeps guards that accepted a step, whatever the sweeps', async () => {
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const guard = createMemoryGuard(async (body) => body(readClock(clock)));
    await guard.store.consume('enr1', 7);
    for (let i = 0; i < 1000; i++) {
      await guard.store.recordFailure(`i_${i}`, policy);
      clock.advance(120_000);
    }
    expect(await guard.store.consume('enr1', 7)).toMatchObject({ ok: false, reason: 'replayed' });
  });
});
