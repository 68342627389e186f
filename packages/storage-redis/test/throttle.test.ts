import { createRedisStore } from '@cloudmfa/storage-redis';
import { DEFAULT_THROTTLE_POLICY, type ThrottlePolicy, throttleDelay } from '@cloudmfa/storage';
import { fixedClock } from '@cloudmfa/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardKey, keyHead } from '../src/_keys.js';
import { freshStore, newClient } from './helpers.js';

// recordFailure's delay curve is throttleDelay re-implemented in Lua (the script cannot call
// JavaScript). These tests hold the two to the same numbers: every failure count 1..200 for a
// few fixed policies, and random policies with random counts up to 100,000 (seeded).

const T0 = Date.UTC(2026, 0, 1);
const admin = newClient();
let env: Awaited<ReturnType<typeof freshStore>>;
const clock = fixedClock(T0);

beforeAll(async () => {
  env = await freshStore(admin, clock, 'throttle');
});
afterAll(async () => {
  await env.store.close();
  await env.cleanup();
  await admin.quit();
});

/** lockedUntil after the failure that makes the count `f`, from a guard with f - 1 failures and no lock. */
async function lockAfter(id: string, policy: ThrottlePolicy, f: number): Promise<number | null> {
  // Seed the count directly, so any f is one round trip.
  await admin.hset(guardKey(keyHead(env.keyPrefix, null), id), 'f', String(f - 1), 'k', '');
  const s = await env.store.guard.recordFailure(id, policy);
  expect(s.failures).toBe(f);
  return s.lockedUntil;
}

const expected = (policy: ThrottlePolicy, f: number) => {
  const d = throttleDelay(policy, f);
  return d > 0 ? T0 + d : null;
};

describe('the Lua throttle curve equals throttleDelay', () => {
  const fixed: ThrottlePolicy[] = [
    DEFAULT_THROTTLE_POLICY,
    { freeFailures: 0, baseDelayMs: 1, maxDelayMs: 366 * 24 * 3600 * 1000, lockoutFailures: 100_000, lockoutMs: 0 },
    { freeFailures: 5, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 6, lockoutMs: 60_000 },
    { freeFailures: 99_999, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 100_000, lockoutMs: 1 },
  ];
  for (const [i, policy] of fixed.entries()) {
    it(`fixed policy ${i}: every failure count 1..200`, async () => {
      for (let f = 1; f <= 200; f++) expect(await lockAfter(`p${i}`, policy, f), `f=${f}`).toBe(expected(policy, f));
    });
  }

  it('random policies and counts (fast-check, seed 42)', async () => {
    const DAY366 = 366 * 24 * 3600 * 1000;
    const policy = fc
      .record({
        freeFailures: fc.integer({ min: 0, max: 99_999 }),
        extra: fc.integer({ min: 1, max: 100_000 }),
        baseDelayMs: fc.integer({ min: 0, max: DAY366 }),
        maxDelayMs: fc.integer({ min: 0, max: DAY366 }),
        lockoutMs: fc.integer({ min: 0, max: DAY366 }),
      })
      .map(({ freeFailures, extra, ...rest }) => ({ ...rest, freeFailures, lockoutFailures: Math.min(100_000, freeFailures + extra) }));
    await fc.assert(
      fc.asyncProperty(policy, fc.integer({ min: 1, max: 100_000 }), async (p, f) => {
        expect(await lockAfter('rnd', p, f)).toBe(expected(p, f));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('keeps a longer existing lock and never shortens it', async () => {
    const id = 'keep';
    await admin.hset(guardKey(keyHead(env.keyPrefix, null), id), 'f', '0', 'k', String(T0 + 10 ** 9));
    const s = await env.store.guard.recordFailure(id, { ...DEFAULT_THROTTLE_POLICY, freeFailures: 0 });
    expect(s.lockedUntil).toBe(T0 + 10 ** 9);
  });

  it('writes times above 14 digits exactly (no exponent notation from Lua)', async () => {
    const late = fixedClock(8.6e15);
    const store = createRedisStore({ client: newClient(), keyPrefix: env.keyPrefix, clock: late, closeClient: true });
    try {
      const p: ThrottlePolicy = { freeFailures: 0, baseDelayMs: 123_457, maxDelayMs: 123_457, lockoutFailures: 10, lockoutMs: 0 };
      expect((await store.guard.recordFailure('big', p)).lockedUntil).toBe(8.6e15 + 123_457);
      expect(await admin.hget(guardKey(keyHead(env.keyPrefix, null), 'big'), 'k')).toBe('8600000000123457');
      const r = await store.guard.consume('big2', Number.MAX_SAFE_INTEGER, { drift: -100_000 });
      expect(r).toMatchObject({ ok: true, state: { lastStep: Number.MAX_SAFE_INTEGER, drift: -100_000, lastUsedAt: 8.6e15 } });
      expect(await store.guard.get('big2')).toMatchObject({ lastStep: Number.MAX_SAFE_INTEGER, lastUsedAt: 8.6e15 });
    } finally {
      await store.close();
    }
  });
});
