import { createRedisStore, dropRedisStore } from '@cloudmfa/storage-redis';
import { RACE_ATTEMPT_POLICY, runConsumeRace } from '@cloudmfa/storage/testing';
import { fixedClock } from '@cloudmfa/core';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, newClient, raceFactory, uniquePrefix } from './helpers.js';

const admin = newClient();
afterAll(async () => {
  await admin.quit();
});

describe('two-process race on 127.0.0.1:6379', () => {
  it('two processes x 1,000 concurrent consumes of the same 100 steps: exactly 100 accepted', async () => {
    assertBuilt();
    const keyPrefix = uniquePrefix('race');
    const now = Date.UTC(2026, 0, 1);
    try {
      const r = await runConsumeRace({ factoryModule: raceFactory, config: { kind: 'single', keyPrefix }, now });
      expect(r.errors).toBe(0);
      expect(r.perProcess.length).toBe(2);
      expect(r.accepted).toBe(100);
      expect(r.replayed).toBe(1900);
      // What is stored agrees: every one of the 100 guards accepted step 1000 once, at `now`.
      const store = createRedisStore({ client: newClient(), keyPrefix, clock: fixedClock(now), closeClient: true });
      for (let i = 0; i < 100; i++) {
        expect(await store.guard.get(`race${i}`)).toEqual({
          enrolmentId: `race${i}`,
          lastStep: 1000,
          failures: 0,
          lockedUntil: null,
          drift: null,
          lastUsedAt: now,
        });
      }
      await store.close();
    } finally {
      await dropRedisStore({ client: admin, keyPrefix });
    }
  });

  it('two processes x 1,000 concurrent attempts on 100 fresh guards: exactly freeFailures + 1 counted per guard', async () => {
    assertBuilt();
    const keyPrefix = uniquePrefix('race-attempt');
    const now = Date.UTC(2026, 0, 1);
    try {
      const r = await runConsumeRace({ factoryModule: raceFactory, config: { kind: 'single', keyPrefix }, now, operation: 'attempt' });
      const counted = 100 * (RACE_ATTEMPT_POLICY.freeFailures + 1);
      expect(r).toMatchObject({ errors: 0, accepted: counted, locked: 2000 - counted, replayed: 0 });
      const store = createRedisStore({ client: newClient(), keyPrefix, clock: fixedClock(now), closeClient: true });
      for (let i = 0; i < 100; i++) expect((await store.guard.get(`race${i}`))?.failures).toBe(RACE_ATTEMPT_POLICY.freeFailures + 1);
      await store.close();
    } finally {
      await dropRedisStore({ client: admin, keyPrefix });
    }
  });
});
