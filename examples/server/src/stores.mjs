// Opens the store set the configuration names (docs/guides/reference-server.md section 2):
// SQLite by default; PostgreSQL (migrated at start) and/or Redis when their URLs are given.
// Connection strings can hold passwords: they are never printed, and driver errors are reduced
// to their code before they reach a log line.
import { createRequire } from 'node:module';
import { composeStore } from '@cloudmfa/storage';
import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { createRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';

const require = createRequire(import.meta.url);
// The drivers the adapters are written against: the example's own dependencies (pg 8, ioredis 5).
const pg = require('pg');
const { Redis } = require('ioredis');

/** Infrastructure that could not be reached at start: exit code 1. */
export class StartupError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StartupError';
  }
}

const codeOf = (e) => (typeof e?.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.code) ? e.code : (e?.name ?? 'error'));

function openPool(url, warn) {
  const pool = new pg.Pool({ connectionString: url, max: 16, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
  // An idle client that fails (server restart) must not crash the process; pg's message can
  // quote the connection parameters, so only the code is logged.
  pool.on('error', (e) => warn({ event: 'postgres_idle_error', code: codeOf(e) }));
  return pool;
}

function openRedis(url, warn) {
  const client = new Redis(url, { ...RECOMMENDED_REDIS_OPTIONS, lazyConnect: true });
  let last = 0;
  client.on('error', (e) => {
    const now = Date.now();
    if (now - last > 5_000) {
      last = now;
      warn({ event: 'redis_error', code: codeOf(e) });
    }
  });
  return client;
}

/**
 * True when the Redis server persists writes: AOF on (`appendonly yes`) or RDB snapshots
 * configured (`save` not empty). Where CONFIG is not allowed (managed services), INFO
 * persistence's `aof_enabled` and a recent RDB save decide.
 */
export async function redisPersists(client) {
  try {
    const aof = await client.config('GET', 'appendonly');
    const save = await client.config('GET', 'save');
    return aof?.[1] === 'yes' || (typeof save?.[1] === 'string' && save[1].trim() !== '');
  } catch {
    const info = String(await client.info('persistence').catch(() => ''));
    return /\baof_enabled:1\b/.test(info) || /\brdb_last_bgsave_status:ok\b/.test(info) && /\brdb_saves:[1-9]/.test(info);
  }
}

/**
 * Opens the configured store: `{ store, kind, describe, close }`. `close()` closes the adapters
 * and then the drivers (the PostgreSQL pool, the Redis client).
 *
 * @param {import('./config.mjs').ServerConfig['store']} config
 * @param {{ clock: () => number, warn?: (entry: object) => void }} options
 * @returns {Promise<{ store: import('@cloudmfa/storage').MfaStore, kind: 'sqlite' | 'postgres+redis' | 'postgres' | 'redis', describe: () => string, close: () => Promise<void> }>}
 */
export async function openStores(config, { clock, warn = () => {} }) {
  if (config.kind === 'sqlite') {
    let store;
    try {
      store = openSqliteStore({ path: config.path, clock });
    } catch (e) {
      throw new StartupError(`cannot open the SQLite store ${config.path} (${codeOf(e)})`);
    }
    return { store, kind: 'sqlite', describe: () => `sqlite ${config.path}`, close: () => store.close() };
  }

  let pool = null;
  let redis = null;
  const cleanup = async () => {
    if (redis) redis.disconnect();
    if (pool) await pool.end().catch(() => {});
  };
  try {
    let pgStore = null;
    let redisStore = null;
    if (config.databaseUrl !== undefined) {
      pool = openPool(config.databaseUrl, warn);
      try {
        await migrate({ pool, schema: config.schema, clock });
        pgStore = await openPostgresStore({ pool, schema: config.schema, clock });
      } catch (e) {
        throw new StartupError(`cannot open PostgreSQL schema ${config.schema} (${codeOf(e)})`);
      }
    }
    if (config.redisUrl !== undefined) {
      redis = openRedis(config.redisUrl, warn);
      try {
        await redis.connect();
        await redis.ping();
      } catch (e) {
        throw new StartupError(`cannot reach Redis (${codeOf(e)})`);
      }
      // A Redis restart without persistence forgets which codes were used: they would be
      // accepted again. Refuse to start on one unless told the deployment is disposable.
      if (!config.redisDisposable && !(await redisPersists(redis))) {
        throw new StartupError('Redis has no persistence (neither AOF nor RDB snapshots): used codes would be valid again after a restart. Enable appendonly or save, or set CLOUDMFA_REDIS_DISPOSABLE=1 for a throwaway deployment');
      }
      redisStore = createRedisStore({ client: redis, keyPrefix: config.redisPrefix, clock, closeClient: true });
    }

    if (pgStore && redisStore) {
      // The system of record (enrolments, audit) in PostgreSQL; the hot, short-lived atomic state
      // (OTP guard with the audit outbox, push challenges) in Redis (docs/storage.md section 12);
      // webhook positions sit beside the audit log they point into, and every organisation's
      // parts split the same way (composeStore's forOrganisation).
      const store = composeStore({ records: pgStore, state: redisStore, onClose: () => pool.end().catch(() => {}) });
      return {
        store,
        kind: 'postgres+redis',
        describe: () => `postgres schema ${config.schema} (enrolments, audit) + redis prefix ${config.redisPrefix} (otp guard, push challenges)`,
        close: () => store.close().catch(() => {}),
      };
    }
    if (pgStore) {
      return {
        store: pgStore,
        kind: 'postgres',
        describe: () => `postgres schema ${config.schema}`,
        close: async () => {
          await pgStore.close();
          await pool.end().catch(() => {});
        },
      };
    }
    return { store: redisStore, kind: 'redis', describe: () => `redis prefix ${config.redisPrefix}`, close: () => redisStore.close() };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
