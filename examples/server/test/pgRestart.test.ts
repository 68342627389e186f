// Issue 11 §6 under a real fault: the reference server's PostgreSQL (enrolments, audit) + Redis
// (OTP guard, push) store set, with PostgreSQL stopped and started while verifications run. A
// private PostgreSQL (initdb + pg_ctl in a temporary directory) is restarted; the shared one is
// never touched. Every code Redis consumed must have been reported accepted and must have its
// otp.accepted row once the outbox is drained; every request that failed must have consumed
// nothing, so the user's retry of the same code works.
import { createSoftwareSigner, fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { parseOtpauthUri, totp } from '@cloudmfa/otp';
import { createMfaServer, type MfaServer } from '@cloudmfa/server';
import type { MfaStore } from '@cloudmfa/storage';
import { dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores } from '../src/stores.mjs';
import { FAST_KDF_POLICY, seededRandom } from './helpers.js';
import { type PrivatePostgres, startPrivatePostgres } from './privatePostgres.js';

const T0 = Date.UTC(2026, 0, 1);
const PREFIX = `cmfa-pgrestart-${process.pid}:`;
const KEK = { current: 'k1', keys: { k1: seededRandom('pg-restart-kek')(32) } };
const push = createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('pg-restart-push') });

let pgServer: PrivatePostgres;
let stores: Awaited<ReturnType<typeof openStores>>;
const clock = fixedClock(T0);
const admin = new Redis({ host: '127.0.0.1', port: 6379, ...RECOMMENDED_REDIS_OPTIONS });

/** A server over `store`; `storeDeadlineMs` is the facade's deadline (default 250 ms as shipped). */
function serverOn(store: MfaStore, name: string, storeDeadlineMs?: number): MfaServer {
  return createMfaServer({
    store,
    keys: { kek: KEK, push },
    issuer: 'Acme Corporation',
    policy: FAST_KDF_POLICY as never,
    clock,
    random: seededRandom(`pg-restart-${name}`),
    ...(storeDeadlineMs === undefined ? {} : { storeDeadlineMs }),
  });
}

/** `n` active otpauth enrolments (their first code spent at T0) and their seeds. */
async function enrol(server: MfaServer, n: number, tag: string): Promise<Array<{ enrolmentId: string; seed: Uint8Array }>> {
  const out: Array<{ enrolmentId: string; seed: Uint8Array }> = [];
  for (let i = 0; i < n; i++) {
    const a = await server.startActivation({ userId: `${tag}-${i}`, mode: 'otpauth' });
    const seed = parseOtpauthUri({ uri: a.uri as string }).secret;
    expect(await server.verifyOtp({ enrolmentId: a.enrolmentId, code: totp({ secret: seed, now: () => T0 }) })).toMatchObject({ ok: true });
    out.push({ enrolmentId: a.enrolmentId, seed });
  }
  return out;
}

async function acceptedSteps(server: MfaServer, enrolmentId: string): Promise<number[]> {
  const page = await server.queryAudit({ enrolmentId, limit: 100 });
  return page.events.filter((e) => e.kind === 'otp.accepted').map((e) => e.detail.step as number);
}

beforeAll(async () => {
  pgServer = await startPrivatePostgres();
  stores = await openStores(
    { kind: 'postgres+redis', databaseUrl: pgServer.url, redisUrl: 'redis://127.0.0.1:6379', schema: 'cloudmfa', redisPrefix: PREFIX, redisDisposable: true },
    { clock },
  );
}, 120_000);

afterAll(async () => {
  await stores?.close();
  await dropRedisStore({ client: admin, keyPrefix: PREFIX });
  admin.disconnect();
  await pgServer?.destroy();
}, 120_000);

describe('PostgreSQL (enrolments, audit) + Redis (guard) with PostgreSQL stopped and restarted', () => {
  // What the checks run on: the same store, a deadline no honest call on this machine reaches.
  const checker = () => serverOn(stores.store, 'checker', 60_000);

  it('PostgreSQL stops after the requests read their enrolments: every code is accepted, and recorded after the drain', async () => {
    const server = serverOn(stores.store, 'a');
    const users = await enrol(server, 20, 'gate');
    clock.set(T0 + 30_000);
    // Each request reads its enrolment, then waits until PostgreSQL is down before going on to
    // the guard (Redis) and the audit log (PostgreSQL): the fault lands exactly between the
    // two, on the real server.
    let reads = 0;
    let release!: () => void;
    const down = new Promise<void>((r) => (release = r));
    const gated: MfaStore = {
      ...stores.store,
      enrolments: {
        ...stores.store.enrolments,
        get: async (id) => {
          const rec = await stores.store.enrolments.get(id);
          if (++reads === users.length) void pgServer.stop().then(release);
          await down;
          return rec;
        },
      },
    };
    const gatedServer = serverOn(gated, 'gated', 60_000);
    const results = await Promise.all(
      users.map((u) => gatedServer.verifyOtp({ enrolmentId: u.enrolmentId, code: totp({ secret: u.seed, now: clock }) }).catch((e: unknown) => e)),
    );
    await pgServer.start();
    expect(results.filter((r) => !(r as { ok?: unknown }).ok)).toEqual([]);
    const check = checker();
    for (const u of users) expect(await acceptedSteps(check, u.enrolmentId)).toEqual([T0 / 30_000]);
    let moved = 0;
    for (;;) {
      const d = await check.drainAuditOutbox({ limit: 7 });
      moved += d.moved;
      if (!d.more) break;
    }
    expect(moved).toBe(users.length);
    expect(await check.drainAuditOutbox()).toEqual({ moved: 0, more: false });
    for (const u of users) expect((await acceptedSteps(check, u.enrolmentId)).sort()).toEqual([T0 / 30_000, T0 / 30_000 + 1]);
  }, 120_000);

  it('PostgreSQL stopped and started under load: accepted codes are recorded, failed ones consumed nothing and the retry works', async () => {
    clock.set(T0);
    const server = serverOn(stores.store, 'b');
    const users = await enrol(server, 240, 'load');
    clock.set(T0 + 30_000);
    const step = (T0 + 30_000) / 30_000;
    const outcome = new Map<string, 'accepted' | 'failed'>();
    let done = 0;
    let next = 0;
    let restarted!: Promise<void>;
    let doneAtStop = -1;
    const worker = async () => {
      while (next < users.length) {
        const u = users[next++] as (typeof users)[number];
        const r = await server.verifyOtp({ enrolmentId: u.enrolmentId, code: totp({ secret: u.seed, now: clock }) }).then(
          (v) => v,
          (e: unknown) => e,
        );
        if (isCloudMfaError(r)) {
          expect(r.code.startsWith('ERR_STORAGE_')).toBe(true);
          outcome.set(u.enrolmentId, 'failed');
        } else {
          expect(r).toMatchObject({ ok: true, step });
          outcome.set(u.enrolmentId, 'accepted');
        }
        done++;
        if (done === 40) {
          // Stop, let the load run against the stopped server, start again (the restart).
          restarted = pgServer.stop().then(async () => {
            doneAtStop = done;
            while (done < doneAtStop + 20 && next < users.length) await new Promise((r) => setTimeout(r, 5));
            await pgServer.start();
          });
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await restarted;

    const check = checker();
    for (;;) if (!(await check.drainAuditOutbox({ limit: 500 })).more) break;
    const failed = [...outcome].filter(([, o]) => o === 'failed').map(([id]) => id);
    const accepted = [...outcome].filter(([, o]) => o === 'accepted').map(([id]) => id);
    // The load ran into the outage: requests issued while it was down failed (fast).
    expect(failed.length).toBeGreaterThan(0);
    expect(accepted.length + failed.length).toBe(users.length);
    for (const id of accepted) {
      // Consumed in Redis, reported accepted, recorded exactly once.
      expect((await stores.store.guard.get(id))?.lastStep).toBe(step);
      expect((await acceptedSteps(check, id)).filter((s) => s === step)).toEqual([step]);
    }
    for (const id of failed) {
      // Never consumed, never recorded, and the user's retry of the same code is accepted.
      expect((await stores.store.guard.get(id))?.lastStep).toBe(step - 1);
      expect(await acceptedSteps(check, id)).toEqual([step - 1]);
      const u = users.find((x) => x.enrolmentId === id) as (typeof users)[number];
      expect(await check.verifyOtp({ enrolmentId: id, code: totp({ secret: u.seed, now: clock }) })).toMatchObject({ ok: true, step });
      expect((await acceptedSteps(check, id)).sort()).toEqual([step - 1, step]);
    }
    expect(await stores.store.guard.listPendingAudit()).toEqual([]);
    console.info(`pg restart under load: ${accepted.length} accepted, ${failed.length} failed fast (not consumed), of ${users.length}`);
  }, 300_000);
});
