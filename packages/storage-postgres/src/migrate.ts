import { readClock, storageError } from '@cloudmfa/storage/adapter';
import { LATEST_VERSION, MIGRATIONS } from './_migrations.js';
import { assertPool, resolveClock, resolveSchema } from './_options.js';
import { driverError, RAW_TYPES, type Row } from './_pg.js';
import { int, text } from './_rows.js';
import type { MigrateOptions, MigrationReport, PostgresPool, PostgresPoolClient } from './types.js';

// pg_advisory_xact_lock(int4, int4): a constant class ('CMFA') and the hash of the schema
// name, so migrations of one schema are serialized and other schemas are not held up.
const LOCK_CLASS = 0x434d4641;

const corrupt = (message: string) => storageError('ERR_STORAGE_CORRUPT', message);

/**
 * Creates `schema` if needed and applies the shipped migrations it lacks, in order, in **one
 * transaction** under an advisory lock: servers starting together migrate one at a time, and
 * a failure (or a dropped connection) leaves the schema exactly as it was. Idempotent: a
 * current schema gets `applied: []`.
 *
 * Refuses with `ERR_STORAGE_CORRUPT`, changing nothing, a schema migrated by a newer release
 * (do not run old code on it), an applied migration whose checksum differs from the shipped
 * file, or a gap in the applied versions. `ERR_STORAGE_UNAVAILABLE` when the server fails;
 * `ERR_STORAGE_INVALID` for a bad `schema` or `pool`. Needs `CREATE` on the database (for a
 * new schema) or on the schema.
 *
 * @example
 * ```ts no-run
 * import pg from 'pg';
 * import { migrate } from '@cloudmfa/storage-postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const report = await migrate({ pool, schema: 'cloudmfa' });
 * // { schema: 'cloudmfa', version: 1, applied: [1] } the first time, applied: [] afterwards
 * ```
 */
export async function migrate(options: MigrateOptions): Promise<MigrationReport> {
  if (typeof options !== 'object' || options === null) throw storageError('ERR_STORAGE_INVALID', '"options" expected an object with "pool"');
  const { pool } = options;
  assertPool(pool, ['connect']);
  const { schema, quoted } = resolveSchema(options.schema);
  const clock = resolveClock(options.clock);

  let client: PostgresPoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    throw driverError(e, 'connect');
  }
  // pg emits 'error' on a checked-out client whose connection dies, and the pool listens
  // only while the client is idle: without this, a dropped connection would crash the process.
  let connectionError: Error | undefined;
  const onError = (err: Error) => {
    connectionError = err;
  };
  client.on('error', onError);
  const exec = async (sqlText: string, values?: unknown[]): Promise<Row[]> =>
    (await client.query({ text: sqlText, ...(values ? { values } : {}), types: RAW_TYPES })).rows as Row[];

  let releaseWith: Error | undefined;
  try {
    try {
      await exec('BEGIN');
    } catch (e) {
      releaseWith = e instanceof Error ? e : new Error('begin failed');
      throw e;
    }
    try {
      await exec('SELECT pg_advisory_xact_lock($1::integer, hashtext($2::text))', [LOCK_CLASS, schema]);
      await exec(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      // The migration files use unqualified names; LOCAL ends with the transaction. The
      // functions capture this path (SET search_path FROM CURRENT): pg_temp goes last so a
      // session's temporary table can never shadow a store table inside them.
      await exec(`SET LOCAL search_path TO ${quoted}, pg_temp`);
      await exec(`CREATE TABLE IF NOT EXISTS cloudmfa_migrations (
  version    integer PRIMARY KEY,
  name       text    NOT NULL,
  checksum   text    NOT NULL,
  applied_at bigint  NOT NULL
)`);
      const applied = (await exec('SELECT version, checksum FROM cloudmfa_migrations ORDER BY version')).map((r) => ({
        version: int(r, 'version'),
        checksum: text(r, 'checksum'),
      }));
      for (const [i, a] of applied.entries()) {
        if (a.version > LATEST_VERSION) throw corrupt('the schema was migrated by a newer release of @cloudmfa/storage-postgres');
        if (a.version !== i + 1) throw corrupt('the applied migrations have a gap');
        if (a.checksum !== MIGRATIONS[i]!.checksum) throw corrupt(`applied migration ${a.version} differs from the shipped file`);
      }
      const done: number[] = [];
      for (const m of MIGRATIONS.slice(applied.length)) {
        await exec(m.sql);
        await exec('INSERT INTO cloudmfa_migrations (version, name, checksum, applied_at) VALUES ($1::integer, $2, $3, $4::bigint)', [
          m.version,
          m.name,
          m.checksum,
          readClock(clock),
        ]);
        done.push(m.version);
      }
      await exec('COMMIT');
      return { schema, version: LATEST_VERSION, applied: done };
    } catch (e) {
      // Roll back whatever ran. If the connection is gone the server has rolled back already;
      // the client is then destroyed instead of returned to the pool.
      await exec('ROLLBACK').catch((rollbackError: unknown) => {
        releaseWith = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
      });
      throw e;
    }
  } catch (e) {
    throw driverError(e, 'migration');
  } finally {
    if (connectionError && !releaseWith) releaseWith = connectionError;
    client.removeListener('error', onError);
    client.release(releaseWith);
  }
}
