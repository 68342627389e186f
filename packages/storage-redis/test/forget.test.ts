import { fixedClock } from '@cloudmfa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardKey, keyHead } from '../src/_keys.js';
import { freshStore, newClient } from './helpers.js';

// Forgotten throttle guards are removed by Redis itself (issue 11 §3, docs/storage-redis.md 4):
// a guard counted with forgetAfterMs carries a TTL that ends when it is forgotten; a guard that
// accepted a step carries none.

const T0 = Date.UTC(2026, 0, 1);
const admin = newClient();
const clock = fixedClock(T0);
let env: Awaited<ReturnType<typeof freshStore>>;
const policy = { freeFailures: 1, baseDelayMs: 10_000, maxDelayMs: 10_000, lockoutFailures: 100, lockoutMs: 0, forgetAfterMs: 60_000 };

beforeAll(async () => {
  env = await freshStore(admin, clock, 'forget');
});
afterAll(async () => {
  await env.store.close();
  await env.cleanup();
  await admin.quit();
});

describe('redis: forgotten throttle guards expire', () => {
  it('sets a TTL that ends when the guard is forgotten, extended with the lock', async () => {
    await env.store.guard.recordFailure('i_a', policy);
    const first = await admin.pttl(guardKey(keyHead(env.keyPrefix, null), 'i_a'));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(60_000);
    // The second failure locks for 10 s: forgotten 60 s after the lock ends.
    await env.store.guard.recordFailure('i_a', policy);
    const second = await admin.pttl(guardKey(keyHead(env.keyPrefix, null), 'i_a'));
    expect(second).toBeGreaterThan(60_000);
    expect(second).toBeLessThanOrEqual(70_000);
  });

  it('an accepted step removes the TTL; a guard counted without forgetAfterMs has none', async () => {
    await env.store.guard.recordFailure('enr1', policy);
    expect(await admin.pttl(guardKey(keyHead(env.keyPrefix, null), 'enr1'))).toBeGreaterThan(0);
    expect((await env.store.guard.consume('enr1', 5)).ok).toBe(true);
    expect(await admin.pttl(guardKey(keyHead(env.keyPrefix, null), 'enr1'))).toBe(-1);
    await env.store.guard.recordFailure('enr1', policy);
    expect(await admin.pttl(guardKey(keyHead(env.keyPrefix, null), 'enr1'))).toBe(-1);
    const { forgetAfterMs: _f, ...plain } = policy;
    await env.store.guard.recordFailure('enr2', plain);
    expect(await admin.pttl(guardKey(keyHead(env.keyPrefix, null), 'enr2'))).toBe(-1);
  });

  it('Redis deletes the key once the window has passed', async () => {
    await env.store.guard.recordFailure('i_b', { ...policy, forgetAfterMs: 1 });
    const key = guardKey(keyHead(env.keyPrefix, null), 'i_b');
    // Redis's own expiry, not a sleep of ours: poll until the key is gone (bounded generously).
    const end = Date.now() + 10_000;
    while ((await admin.exists(key)) === 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(await admin.exists(key)).toBe(0);
  });
});
