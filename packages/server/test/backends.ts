// The real stores the red-team scenarios run on: memory, SQLite (file), PostgreSQL (own schema),
// Redis (own key prefix) and PostgreSQL + Redis (enrolments and audit on PostgreSQL, the guard
// and challenges on Redis). Each opener returns a fresh, isolated store and its cleanup. A
// missing PostgreSQL or Redis fails the tests that use them; nothing is skipped.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import { createMemoryStore, type MfaStore } from '@cloudmfa/storage';
import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';

export type Clock = ReturnType<typeof fixedClock>;
export interface OpenedStore {
  store: MfaStore;
  cleanup: () => Promise<void>;
}

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
let pool: pg.Pool | null = null;
let redisAdmin: Redis | null = null;
const pgPool = () => {
  if (!pool) {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
    pool.on('error', () => undefined);
  }
  return pool;
};
const admin = () => (redisAdmin ??= new Redis({ host: '127.0.0.1', port: 6379, ...RECOMMENDED_REDIS_OPTIONS }));

/** Ends the shared PostgreSQL pool and Redis admin connection (call in afterAll). */
export async function closeBackends(): Promise<void> {
  await pool?.end();
  pool = null;
  redisAdmin?.disconnect();
  redisAdmin = null;
}

// Sandbox names only (other engineers share these servers); no outcome depends on them.
const sandbox = (tag: string) => `cmfa_hard_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`;

async function openPostgres(clock: Clock): Promise<OpenedStore> {
  const schema = sandbox('pg');
  await migrate({ pool: pgPool(), schema, clock });
  const store = await openPostgresStore({ pool: pgPool(), schema, clock });
  return { store, cleanup: async () => void (await pgPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)) };
}

function openRedis(clock: Clock) {
  const keyPrefix = `${sandbox('redis')}:`;
  const client = new Redis({ host: '127.0.0.1', port: 6379, ...RECOMMENDED_REDIS_OPTIONS });
  const store = createRedisStore({ client, keyPrefix, clock, closeClient: true });
  return { store, cleanup: async () => void (await dropRedisStore({ client: admin(), keyPrefix })) };
}

export const BACKENDS: Record<string, (clock: Clock) => Promise<OpenedStore>> = {
  memory: async (clock) => ({ store: createMemoryStore({ clock }), cleanup: async () => undefined }),
  sqlite: async (clock) => {
    const dir = mkdtempSync(join(tmpdir(), 'cmfa-hard-'));
    const store = openSqliteStore({ path: join(dir, 'mfa.db'), clock });
    return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  postgres: openPostgres,
  redis: async (clock) => openRedis(clock),
  'postgres+redis': async (clock) => {
    const pgPart = await openPostgres(clock);
    const redis = openRedis(clock);
    const store: MfaStore = {
      enrolments: pgPart.store.enrolments,
      audit: pgPart.store.audit,
      guard: redis.store.guard,
      challenges: redis.store.challenges,
      organisations: pgPart.store.organisations,
      forOrganisation: (id) => {
        const p = pgPart.store.forOrganisation(id);
        const r = redis.store.forOrganisation(id);
        return { enrolments: p.enrolments, audit: p.audit, guard: r.guard, challenges: r.challenges };
      },
      close: async () => {
        await redis.store.close();
        await pgPart.store.close();
      },
    };
    return {
      store,
      cleanup: async () => {
        await redis.cleanup();
        await pgPart.cleanup();
      },
    };
  },
};

/**
 * Inside a `describe`: opens `backend` afresh on a clock pinned at `t0` before each test and
 * closes and cleans it after. Read the current store and clock through the getters.
 */
export function freshBackendPerTest(backend: string, t0: number): { opened: () => OpenedStore; clock: () => Clock } {
  const open = BACKENDS[backend];
  if (!open) throw new Error(`unknown backend ${backend}`);
  let opened: OpenedStore | undefined;
  let clock: Clock | undefined;
  beforeEach(async () => {
    clock = fixedClock(t0);
    opened = await open(clock);
  });
  afterEach(async () => {
    await opened?.store.close();
    await opened?.cleanup();
    opened = undefined;
  });
  return {
    opened: () => opened as OpenedStore,
    clock: () => clock as Clock,
  };
}
