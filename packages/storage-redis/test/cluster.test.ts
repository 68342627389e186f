import { RACE_ATTEMPT_POLICY, runConsumeRace, runStorageConformance } from '@cloudmfa/storage/testing';
import { createRedisStore, dropRedisStore } from '@cloudmfa/storage-redis';
import { fixedClock } from '@cloudmfa/core';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, raceFactory, uniquePrefix } from './helpers.js';
import { keySlot } from '../src/_slot.js';
import { type LocalCluster, startLocalCluster } from './localCluster.js';

// A real three-master Redis Cluster on loopback ports, started here and stopped in afterAll
// (which runs on failure too; startLocalCluster stops what it started if it fails half-way).
// The WHOLE conformance suite runs against it through ioredis.Cluster: any script that touched
// two slots would fail with CROSSSLOT, and any key on the wrong node with MOVED loops.
let cluster: LocalCluster | undefined;
let admin: Cluster | undefined;

beforeAll(async () => {
  cluster = await startLocalCluster();
  admin = cluster.client();
  await admin.ping();
}, 90_000);

afterAll(async () => {
  await admin?.quit().catch(() => admin?.disconnect());
  await cluster?.stop();
}, 60_000);

runStorageConformance({ name: 'redis cluster (3 masters)', factory: ({ clock }) => {
  if (!cluster || !admin) throw new Error('the test cluster did not start');
  const keyPrefix = uniquePrefix('cluster');
  const a = admin;
  return {
    store: createRedisStore({ client: cluster.client(), keyPrefix, clock, closeClient: true }),
    cleanup: async () => {
      await dropRedisStore({ client: a, keyPrefix });
    },
  };
} });

describe('redis cluster layout', () => {
  it('keeps every key of an enrolment in its slot, the audit in one slot, and spreads enrolments over all masters', async () => {
    const keyPrefix = uniquePrefix('layout');
    const client = cluster!.client();
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const store = createRedisStore({ client, keyPrefix, clock, closeClient: true });
    try {
      const ids = Array.from({ length: 30 }, (_, i) => `enr${i}`);
      for (const id of ids) {
        await store.enrolments.create({ id, userId: `user-${id}`, secret: new Uint8Array([1]), expiresAt: clock() + 60_000 });
        await store.guard.consume(id, 1);
        await store.challenges.create({ id: `ch-${id}`, enrolmentId: id, userId: `user-${id}`, expiresAt: clock() + 60_000 });
        await store.audit.append({ kind: 'test.event', enrolmentId: id, userId: `user-${id}` });
      }
      const byNode = new Map<string, string[]>();
      for (const node of admin!.nodes('master')) {
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, page] = await node.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
          cursor = next;
          keys.push(...page);
        } while (cursor !== '0');
        byNode.set(`${node.options.port}`, keys);
      }
      const all = [...byNode.values()].flat();
      // 30 x (enrolment, guard, challenge, pending index, owner, user index, user pending
      // index) + 1 + 30 + 30 audit streams.
      expect(all.length).toBe(30 * 7 + 61);
      const slot = async (key: string) => Number(await admin!.cluster('KEYSLOT', key));
      // The user pending index lives in the user's slot, next to the user's enrolment index.
      {
        const upend = all.filter((k) => k.endsWith(':upend') && k.includes(`{u:`));
        expect(upend.length).toBe(30);
        const enrIndex = (k: string) => k.replace(/:upend$/, ':enr');
        for (const k of upend) expect(await slot(k)).toBe(await slot(enrIndex(k)));
      }
      for (const id of ids) {
        const own = all.filter((k) => k.startsWith(`${keyPrefix}{${id}}:`));
        expect(own.length).toBe(4);
        const slots = new Set(await Promise.all(own.map(slot)));
        expect(slots).toEqual(new Set([await slot(`{${id}}`)]));
      }
      const audit = all.filter((k) => k.startsWith(`${keyPrefix}{audit}:`));
      expect(audit.length).toBe(61);
      expect(new Set(await Promise.all(audit.map(slot))).size).toBe(1);
      // The enrolments really are spread: every master holds some.
      for (const keys of byNode.values()) expect(keys.some((k) => k.endsWith(':guard'))).toBe(true);
      // And the store reads them all back through the cluster.
      expect((await store.challenges.listPending('enr7')).map((c) => c.id)).toEqual(['ch-enr7']);
      expect((await store.audit.query({ userId: 'user-enr9' })).events.length).toBe(1);
      // A user id with braces never becomes a hash tag (it is hashed), so its index is one slot.
      await store.enrolments.create({ id: 'braces', userId: '{enr3}{x', secret: new Uint8Array([1]), expiresAt: clock() + 60_000 });
      await store.audit.append({ kind: 'test.event', userId: '{enr3}{x' });
      expect((await store.enrolments.listByUser('{enr3}{x')).map((e) => e.id)).toEqual(['braces']);
      expect((await store.audit.query({ userId: '{enr3}{x' })).events.length).toBe(1);
    } finally {
      await store.close();
      await dropRedisStore({ client: admin!, keyPrefix });
    }
  });

  it('keeps the outbox for a consume given its own log (the log is in another slot than the guard)', async () => {
    const keyPrefix = uniquePrefix('obx');
    const store = createRedisStore({ client: cluster!.client(), keyPrefix, clock: fixedClock(Date.UTC(2026, 0, 1)), closeClient: true });
    try {
      const audit = { key: 'k1', kind: 'otp.accepted', enrolmentId: 'enr1', userId: 'alice', detail: { step: 5 } };
      const r = await store.guard.consume('enr1', 5, { audit, auditLog: store.audit });
      expect(r).toMatchObject({ ok: true });
      expect(r.ok && r.logged).toBeFalsy();
      expect((await store.guard.listPendingAudit()).map((e) => e.key)).toEqual(['k1']);
      expect((await store.audit.query({})).events).toEqual([]);
    } finally {
      await store.close();
      await dropRedisStore({ client: admin!, keyPrefix });
    }
  });

  it('groups batched consumes by the slot the cluster computes (CRC16 of the hash tag)', async () => {
    // The cluster specification's vector: CRC16-XMODEM("123456789") = 0x31C3.
    expect(keySlot('123456789')).toBe(0x31c3 & 16383);
    const keys = ['123456789', 'plain', 'p:{enr_1}:guard', 'p:{}:x{y}', 'p:{c:AbC-_9}:own', `${'x'.repeat(70)}{audit}:all`, 'a{b'];
    for (let i = 0; i < 200; i++) keys.push(`cmfa:{e${i}}:guard`);
    for (const k of keys) expect(keySlot(k), k).toBe(Number(await admin!.cluster('KEYSLOT', k)));
  });

  it('two processes x 1,000 concurrent consumes of the same 100 steps on the cluster: exactly 100 accepted', async () => {
    assertBuilt();
    const keyPrefix = uniquePrefix('cluster-race');
    try {
      const r = await runConsumeRace({ factoryModule: raceFactory, config: { kind: 'cluster', ports: cluster!.ports, keyPrefix } });
      expect(r.errors).toBe(0);
      expect(r.accepted).toBe(100);
      expect(r.replayed).toBe(1900);
    } finally {
      await dropRedisStore({ client: admin!, keyPrefix });
    }
  });

  it('two processes x 1,000 concurrent attempts on 100 fresh guards across the masters: exactly freeFailures + 1 counted per guard', async () => {
    assertBuilt();
    const keyPrefix = uniquePrefix('cluster-race-attempt');
    try {
      const r = await runConsumeRace({ factoryModule: raceFactory, config: { kind: 'cluster', ports: cluster!.ports, keyPrefix }, operation: 'attempt' });
      const counted = 100 * (RACE_ATTEMPT_POLICY.freeFailures + 1);
      expect(r).toMatchObject({ errors: 0, accepted: counted, locked: 2000 - counted, replayed: 0 });
    } finally {
      await dropRedisStore({ client: admin!, keyPrefix });
    }
  });
});
