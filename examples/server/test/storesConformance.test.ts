// The store set the reference server opens for PostgreSQL + Redis (src/stores.mjs: enrolments and
// audit on PostgreSQL, the OTP guard and challenges on Redis) passes the shared conformance suite,
// the audit outbox included: its consume (Redis) records the entry that its audit log
// (PostgreSQL) takes by key (issue 11 §6).
import { randomBytes } from 'node:crypto';
import { dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { runStorageConformance } from '@cloudmfa/storage/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll } from 'vitest';
import { openStores } from '../src/stores.mjs';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const admin = new Redis({ host: '127.0.0.1', port: 6379, ...RECOMMENDED_REDIS_OPTIONS });
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
afterAll(async () => {
  admin.disconnect();
  await pool.end();
});

let n = 0;
runStorageConformance({
  name: 'postgres+redis (reference server)',
  factory: async ({ clock }) => {
    // Names no other run on the shared servers uses; no outcome depends on the random part.
    const tag = `${process.pid}_${n++}_${randomBytes(3).toString('hex')}`;
    const schema = `cmfa_t_refstores_${tag}`;
    const redisPrefix = `cmfa-refstores-${tag}:`;
    const stores = await openStores({ kind: 'postgres+redis', databaseUrl: DATABASE_URL, redisUrl: 'redis://127.0.0.1:6379', schema, redisPrefix, redisDisposable: true }, { clock });
    return {
      store: stores.store,
      cleanup: async () => {
        await stores.close();
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await dropRedisStore({ client: admin, keyPrefix: redisPrefix });
      },
    };
  },
  concurrency: 50,
});
