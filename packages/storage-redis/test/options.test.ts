import { fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { createRedisStore, dropRedisStore } from '@cloudmfa/storage-redis';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { keysUnder, newClient, REDIS, uniquePrefix } from './helpers.js';

const admin = newClient();
afterAll(async () => {
  await admin.quit();
});

function expectInvalid(run: () => unknown): void {
  let err: unknown;
  try {
    run();
  } catch (e) {
    err = e;
  }
  expect(isCloudMfaError(err, 'ERR_STORAGE_INVALID'), String(err)).toBe(true);
}

describe('createRedisStore options', () => {
  it('refuses a missing or foreign client', () => {
    expectInvalid(() => createRedisStore(undefined as never));
    expectInvalid(() => createRedisStore({} as never));
    expectInvalid(() => createRedisStore({ client: { get: () => null } as never }));
  });

  it('refuses an ioredis client with its own keyPrefix (scripts build key names themselves)', () => {
    const prefixed = new Redis({ ...REDIS, keyPrefix: 'x:', lazyConnect: true });
    expectInvalid(() => createRedisStore({ client: prefixed }));
    const cluster = new Cluster([{ ...REDIS }], { keyPrefix: 'x:', lazyConnect: true });
    expectInvalid(() => createRedisStore({ client: cluster }));
    const clusterInner = new Cluster([{ ...REDIS }], { redisOptions: { keyPrefix: 'x:' }, lazyConnect: true });
    expectInvalid(() => createRedisStore({ client: clusterInner }));
    prefixed.disconnect();
    cluster.disconnect();
    clusterInner.disconnect();
  });

  it('refuses key prefixes that could become hash tags or are too long', () => {
    for (const keyPrefix of ['{t}:', 'a}', 'a{', 'a b', 'x'.repeat(65), 'ü:', 'a*', 'a?', 'a[b]', 5, null]) {
      expectInvalid(() => createRedisStore({ client: admin, keyPrefix: keyPrefix as string }));
    }
    for (const keyPrefix of ['', 'mfa:', 'tenant-42.prod_eu:', 'x'.repeat(64)]) createRedisStore({ client: admin, keyPrefix });
  });

  it('refuses a singleServer that is not a boolean, or true with an ioredis Cluster (its keys live on several servers)', () => {
    for (const bad of [1, 'true', null]) expectInvalid(() => createRedisStore({ client: admin, singleServer: bad as never }));
    const cluster = new Cluster([{ ...REDIS }], { lazyConnect: true });
    expectInvalid(() => createRedisStore({ client: cluster, singleServer: true }));
    createRedisStore({ client: cluster, singleServer: false });
    createRedisStore({ client: admin, singleServer: true });
    cluster.disconnect();
  });

  it('refuses bad retentions and clocks', () => {
    for (const bad of [-1, 1.5, Number.NaN, '1000', 3650 * 24 * 3600 * 1000 + 1]) {
      expectInvalid(() => createRedisStore({ client: admin, pendingEnrolmentRetentionMs: bad as number }));
      expectInvalid(() => createRedisStore({ client: admin, challengeRetentionMs: bad as number }));
      expectInvalid(() => createRedisStore({ client: admin, auditRetentionMs: bad as number }));
    }
    expectInvalid(() => createRedisStore({ client: admin, clock: 5 as never }));
    createRedisStore({ client: admin, pendingEnrolmentRetentionMs: 0, challengeRetentionMs: 0, auditRetentionMs: null });
  });

  it('rejects a clock that does not return a time, before any I/O', async () => {
    const store = createRedisStore({ client: admin, keyPrefix: 'cmfa-test:badclock:', clock: () => Number.NaN });
    const err = await store.guard.get('e1').catch((e: unknown) => e);
    expect(isCloudMfaError(err, 'ERR_STORAGE_INVALID')).toBe(true);
  });
});

describe('dropRedisStore', () => {
  it('deletes exactly the keys of its prefix, not those of a longer prefix, and refuses the empty prefix', async () => {
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const p = uniquePrefix('drop');
    const longer = `${p}0`;
    try {
      for (const keyPrefix of [p, longer]) {
        const s = createRedisStore({ client: admin, keyPrefix, clock });
        await s.enrolments.create({ id: 'e1', userId: 'alice', secret: new Uint8Array([1]), expiresAt: clock() + 1000 });
        await s.guard.consume('e1', 1);
        await s.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: 'alice', expiresAt: clock() + 1000 });
        await s.audit.append({ kind: 'k', enrolmentId: 'e1', userId: 'alice' });
      }
      // enrolment, user index, guard, owner, user pending index, challenge, pending index, 3 audit streams.
      expect((await keysUnder(admin, longer)).length).toBe(10);
      expect(await dropRedisStore({ client: admin, keyPrefix: p })).toBe(10);
      expect((await keysUnder(admin, p)).filter((k) => !k.startsWith(longer))).toEqual([]);
      expect((await keysUnder(admin, longer)).length).toBe(10);
      expect(await dropRedisStore({ client: admin, keyPrefix: longer })).toBe(10);
      expect(await keysUnder(admin, p)).toEqual([]);
      const err = await dropRedisStore({ client: admin, keyPrefix: '' }).catch((e: unknown) => e);
      expect(isCloudMfaError(err, 'ERR_STORAGE_INVALID')).toBe(true);
    } finally {
      await dropRedisStore({ client: admin, keyPrefix: longer });
      await dropRedisStore({ client: admin, keyPrefix: p });
    }
  });
});
