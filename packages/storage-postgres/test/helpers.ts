import { randomBytes } from 'node:crypto';
import { fixedClock } from '@cloudmfa/core';
import { migrate, openPostgresStore, type PostgresStore } from '@cloudmfa/storage-postgres';
import pg from 'pg';

/** The test server (docs/storage-postgres.md section 6). A missing server fails, never skips. */
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A pool on the test server whose idle-client errors (terminated backends) are recorded, not fatal. */
export function testPool(max = 10): pg.Pool & { idleErrors: string[] } {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max, connectionTimeoutMillis: 5000 }) as pg.Pool & { idleErrors: string[] };
  pool.idleErrors = [];
  pool.on('error', (err: Error & { code?: string }) => {
    pool.idleErrors.push(err.code ?? err.name);
  });
  return pool;
}

let counter = 0;
/**
 * A schema name no other test run on this server uses: other engineers and CI share the
 * server. The random part only names the sandbox; no test outcome depends on it.
 */
export function uniqueSchema(tag: string): string {
  counter++;
  return `cmfa_t_${tag}_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Polls `check` every 10 ms until it is true, or fails after `ms`. */
export async function waitFor(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A fresh migrated schema and a store on it (clock pinned at `at`), dropped afterwards. */
export async function withStore(
  pool: pg.Pool,
  tag: string,
  at: number,
  body: (schema: string, store: PostgresStore) => Promise<void>,
): Promise<void> {
  const schema = uniqueSchema(tag);
  const clock = fixedClock(at);
  await migrate({ pool, schema, clock });
  const store = await openPostgresStore({ pool, schema, clock });
  try {
    await body(schema, store);
  } finally {
    await store.close();
    await dropSchema(pool, schema);
  }
}

/** Whether a session of the server waits for the follow lock of `org` in `schema` (its bigint key, migration 7). */
export async function waitsForFollowLock(pool: pg.Pool, schema: string, org: string): Promise<boolean> {
  const r = await pool.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
       AND ((classid::bigint << 32) | objid::bigint) = "${schema}".cloudmfa_audit_follow_key($1)`,
    [org],
  );
  return r.rowCount !== 0;
}
