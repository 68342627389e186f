// Shared by bench/src/server.mjs and its HTTP target process: a verify API on each store, a
// set of active TOTP enrolments, and a "lap clock" so that every timed call is an acceptance.
//
// Why a lap clock: a TOTP enrolment accepts one code per 30 s step (RFC 6238 5.2), so at a
// fixed time N enrolments give N acceptances. The clock here is `T0 + lap * 30 s`, where
// `lap = floor(calls / N)`: once every enrolment has been verified at this step, time moves to
// the next step. With N = 1024 and 64 calls in flight, a call computed for lap k is checked at
// lap k or k + 1 (inside the server's window of one step), and two calls on one enrolment are
// never in flight together. Every timed call is the full accept path: enrolment read, guard
// read, the attempt counted first (guard.attempt), seed decryption (AES-GCM), HMAC, atomic
// consume with its audit entry.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedemption, openEnvelope } from '@cloudmfa/activation';
import { createSoftwareSigner } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { parseOtpauthUri, totp } from '@cloudmfa/otp';
import { createPushPollRequest } from '@cloudmfa/push';
import { createMfaServer } from '@cloudmfa/server';
import { composeStore, createMemoryStore } from '@cloudmfa/storage';
import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';

// The drivers are the adapters' dependencies, not the bench's: load the adapters' copies.
const pg = createRequire(fileURLToPath(import.meta.resolve('@cloudmfa/storage-postgres')))('pg');
const { Redis } = createRequire(fileURLToPath(import.meta.resolve('@cloudmfa/storage-redis')))('ioredis');

export const T0 = Date.UTC(2026, 0, 1);
export const ENROLMENTS = 1024;
const PG_URL = process.env.CLOUDMFA_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const [REDIS_HOST, REDIS_PORT] = (process.env.CLOUDMFA_BENCH_REDIS ?? '127.0.0.1:6379').split(':');

export function lapClock(n = ENROLMENTS) {
  let calls = 0;
  return {
    clock: () => T0 + Math.floor(calls / n) * 30_000,
    /** Claims the next call: its enrolment index and the time its code is computed for. */
    next: () => {
      const j = calls++;
      return { index: j % n, at: T0 + Math.floor(j / n) * 30_000 };
    },
    get calls() {
      return calls;
    },
    set calls(v) {
      calls = v;
    },
  };
}

/**
 * Opens one of the stores on `clock`: `{ store, close, serverOptions }`. Each works in its own
 * SQLite file, PostgreSQL schema or Redis key prefix, removed by `close`. `serverOptions` go to
 * `benchServer`: `postgres+redis+bg` is the PostgreSQL + Redis composition with
 * `auditMove: 'background'` (docs/server.md 4.1); every other kind, none.
 */
export async function openBenchStore(kind, clock) {
  if (kind === 'postgres+redis+bg') return { ...(await openBenchStore('postgres+redis', clock)), serverOptions: { auditMove: 'background' } };
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  if (kind === 'memory') {
    const store = createMemoryStore({ clock });
    return { store, close: () => store.close() };
  }
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cmfa-bench-server-'));
    const store = openSqliteStore({ path: join(dir, 'bench.db'), clock });
    return {
      store,
      close: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const pools = [];
  const clients = [];
  let pgStore = null;
  let redisStore = null;
  const schema = `cmfa_bench_server_${tag}`;
  const keyPrefix = `cmfa-bench-server:${tag}:`;
  if (kind === 'postgres' || kind === 'postgres+redis') {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 16 });
    pools.push(pool);
    await migrate({ pool, schema });
    pgStore = await openPostgresStore({ pool, schema, clock });
  }
  if (kind === 'redis' || kind === 'redis+autopipelining' || kind === 'postgres+redis') {
    // ioredis' enableAutoPipelining writes the commands of one event-loop turn together (fewer
    // socket writes); the adapter's semantics do not depend on it (docs/storage-redis.md).
    const autoPipelining = kind === 'redis+autopipelining' ? { enableAutoPipelining: true } : {};
    const client = new Redis({ host: REDIS_HOST, port: Number(REDIS_PORT), ...RECOMMENDED_REDIS_OPTIONS, ...autoPipelining });
    clients.push(client);
    await dropRedisStore({ client, keyPrefix });
    // The bench's Redis is one local server: the Redis stores say so (a consume then logs its
    // entry in its own script, docs/storage-redis.md 3.3). The PostgreSQL + Redis composition
    // keeps the default: its log is PostgreSQL's, so its guard keeps the outbox anyway.
    redisStore = createRedisStore({ client, keyPrefix, clock, singleServer: kind !== 'postgres+redis' });
  }
  // PostgreSQL + Redis as a deployment composes it (docs/storage.md section 12): the pool and
  // the client are closed below, after the schema and the keys are dropped.
  const store = kind === 'postgres+redis' ? composeStore({ records: pgStore, state: redisStore }) : (pgStore ?? redisStore);
  return {
    store,
    close: async () => {
      await pgStore?.close();
      await redisStore?.close();
      for (const pool of pools) {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      }
      for (const client of clients) {
        await dropRedisStore({ client, keyPrefix });
        await client.quit();
      }
    },
  };
}

/**
 * A verify API on `store` with `n` active TOTP enrolments (otpauth mode, activated by their
 * first code at lap 0), with `serverOptions` (from `openBenchStore`, e.g. `auditMove`) under
 * the bench's own: spread first, so the bench's `store`, `keys` and the rest win.
 * Returns `{ server, ids, seeds, verifyNext, settle }`; `verifyNext()` verifies the next
 * enrolment's current code and resolves its result; `settle()` resolves when the work the
 * answers left running (background audit moves) is done: give it to `timedRun`.
 */
export async function benchServer(store, lap, { n = ENROLMENTS, serverOptions = {} } = {}) {
  const server = createMfaServer({
    ...serverOptions,
    store,
    keys: {
      kek: { current: 'k1', keys: { k1: new Uint8Array(32).fill(7) } },
      push: createSoftwareSigner({ algorithm: 'ES256' }),
      // The lap clock runs ~30 s per 1,024 calls, a few hundred times faster than time: with the
      // default 300 s TTL every data key would be unwrapped again each 10 laps (~9% of the calls
      // at 7,000/s), which a deployment at that rate (each key unwrapped once per 300 s) never
      // sees. The longest TTL keeps the unwraps out of the timed part, as in a deployment.
      dataKeyCache: { ttlMs: 86_400_000 },
    },
    issuer: 'Bench',
    // Online activations (the HTTP target redeems one for its device route) need an origin.
    origin: 'https://mfa.bench.example',
    clock: lap.clock,
    crypto: webCryptoProvider(),
    // Throughput, not the fail-fast deadline (tested in packages/server/test): on a loaded
    // 2-core machine a queued call can exceed the default 250 ms and end the run.
    storeDeadlineMs: 10_000,
  });
  const ids = new Array(n);
  const seeds = new Array(n);
  let next = 0;
  const create = async () => {
    while (next < n) {
      const i = next++;
      const a = await server.startActivation({ userId: `user-${i}`, mode: 'otpauth' });
      ids[i] = a.enrolmentId;
      seeds[i] = parseOtpauthUri({ uri: a.uri }).secret;
    }
  };
  await Promise.all(Array.from({ length: 16 }, create));
  const verifyNext = () => {
    const { index, at } = lap.next();
    return server.verifyOtp({ enrolmentId: ids[index], code: totp({ secret: seeds[index], now: () => at }) });
  };
  // Lap 0: every enrolment's first code activates it (64 in flight, as timed: 1,024 at once
  // would queue past the store deadline on a loaded machine).
  const first = [];
  const activate = async () => {
    while (first.length < n) {
      const p = verifyNext();
      first.push(p);
      await p;
    }
  };
  await Promise.all(Array.from({ length: 64 }, activate));
  if (!(await Promise.all(first)).every((r) => r.ok && r.activated)) throw new Error('bench setup: an enrolment did not activate');
  const settle = () => server.flushAuditMoves();
  await settle();
  return { server, ids, seeds, verifyNext, settle };
}

/**
 * Runs `fn` with `inFlight` concurrent callers for `ms`; counts results by outcome. The timed
 * window ends when the last call answered and then `settle()` (if given) resolved, so work an
 * answer left running (background audit moves) is inside the time, and inside the CPU a caller
 * measures around the run. Each caller
 * starts its next call from a macrotask (`setImmediate`), as a request arriving by I/O does:
 * a verify whose store answers without I/O (memory, SQLite) runs in microtasks only, and callers
 * chaining those would starve any call waiting for a macrotask (an unwrap by WebCrypto after
 * the data-key cache's TTL) past the lap clock's one-step window.
 */
export async function timedRun(fn, { ms, inFlight, settle }) {
  let ok = 0;
  let refused = 0;
  const start = performance.now();
  const end = start + ms;
  const worker = async () => {
    while (performance.now() < end) {
      await new Promise(setImmediate);
      const r = await fn();
      if (r.ok) ok++;
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  if (settle) await settle();
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: (ok + refused) / seconds, ok, refused };
}

/**
 * One enrolment redeemed online on `server` by a software ES256 device key, for the device
 * routes: `pollToken()` makes a device-signed poll request (valid for +-60 s of the server
 * clock; it only lists, so it may be sent again).
 */
export async function redeemBenchDevice(server, lap) {
  const crypto = webCryptoProvider();
  const device = createSoftwareSigner({ algorithm: 'ES256' });
  const started = await server.startActivation({ userId: 'device-user' });
  const opened = await openEnvelope({ text: started.text, password: started.password, now: lap.clock, crypto });
  const { request } = await createRedemption({ payload: opened.payload, deviceSigner: device, pushToken: null, platform: 'ios', now: lap.clock, crypto });
  const redeemed = await server.completeActivation({ request });
  if (!redeemed.ok) throw new Error(`bench setup: redemption refused (${redeemed.reason})`);
  return { pollToken: () => createPushPollRequest({ enrolmentId: redeemed.enrolmentId, signer: device, now: lap.clock }) };
}
