import type { Clock } from '@cloudmfa/core';
import type { MfaStore } from '@cloudmfa/storage';

/**
 * The query shape the adapter sends: always a named prepared statement with bound values and
 * the adapter's own type parsers (so the caller's global `pg.types` settings do not matter).
 * A subset of pg's `QueryConfig`.
 *
 * @example
 * ```ts
 * const config: PostgresQueryConfig = { name: 'cmfa_get', text: 'SELECT 1 WHERE $1::int = 1', values: [1] };
 * ```
 */
export interface PostgresQueryConfig {
  text: string;
  name?: string;
  values?: unknown[];
  types?: { getTypeParser: (oid: number, format?: string) => (value: string) => unknown };
}

/**
 * What the adapter reads from a query result (a subset of pg's `QueryResult`).
 *
 * @example
 * ```ts
 * const { rows }: PostgresQueryResult = await pool.query({ text: 'SELECT 1 AS one' });
 * ```
 */
export interface PostgresQueryResult {
  rows: unknown[];
}

/**
 * A client checked out of the pool (only {@link migrate} uses one, for its transaction).
 * `pg.PoolClient` satisfies it.
 *
 * @example
 * ```ts
 * const client: PostgresPoolClient = await pool.connect();
 * client.release();
 * ```
 */
export interface PostgresPoolClient {
  query(config: PostgresQueryConfig): Promise<PostgresQueryResult>;
  release(err?: Error | boolean): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * The caller's connection pool: `pg.Pool` satisfies it. The store only calls `query` (and
 * {@link migrate} `connect`); it never ends or resizes the pool.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool: PostgresPool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PostgresPool {
  query(config: PostgresQueryConfig): Promise<PostgresQueryResult>;
  connect(): Promise<PostgresPoolClient>;
}

/**
 * Options of {@link openPostgresStore}.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { pool, schema: 'cloudmfa', clock: systemClock };
 * ```
 */
export interface PostgresStoreOptions {
  /** The caller's `pg.Pool`; the store never ends it. */
  pool: PostgresPool;
  /** Schema holding the tables; `^[a-z_][a-z0-9_]{0,62}$`, not `pg_*`. Default `public`. */
  schema?: string;
  /** The store clock (ms) for every recorded time and expiry decision. Default `systemClock`. */
  clock?: Clock;
}

/**
 * An {@link MfaStore} on PostgreSQL. `close()` marks it closed (every method then rejects
 * with `ERR_STORAGE_UNAVAILABLE`) and leaves the caller's pool open.
 *
 * @example
 * ```ts
 * const store: PostgresStore = await openPostgresStore({ pool, schema: 'cloudmfa' });
 * store.schema; // 'cloudmfa'
 * ```
 */
export interface PostgresStore extends MfaStore {
  /** The schema this store reads and writes. */
  readonly schema: string;
}

/**
 * Options of {@link migrate}.
 *
 * @example
 * ```ts
 * await migrate({ pool, schema: 'cloudmfa' });
 * ```
 */
export interface MigrateOptions {
  /** The pool to migrate through (`pg.Pool` fits). */
  pool: PostgresPool;
  /** Target schema (created when missing). Default `public`. */
  schema?: string;
  /** Clock for the `applied_at` column (ms). Default `systemClock`. */
  clock?: Clock;
}

/**
 * What {@link migrate} did.
 *
 * @example
 * ```ts
 * const { version, applied } = await migrate({ pool, schema: 'cloudmfa' });
 * if (applied.length) log.info('migrated', { version, applied });
 * ```
 */
export interface MigrationReport {
  schema: string;
  /** The schema version after the call (always {@link POSTGRES_SCHEMA_VERSION}). */
  version: number;
  /** Versions applied by this call, in order; `[]` when the schema was already current. */
  applied: number[];
}

/**
 * One shipped migration. `sql` uses unqualified names: run it with `search_path` set to the
 * target schema. `checksum` is the SHA-256 (hex) of `sql` with line endings normalized to LF.
 *
 * @example
 * ```ts
 * for (const m of listMigrations()) console.log(m.version, m.name, m.checksum);
 * ```
 */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}
