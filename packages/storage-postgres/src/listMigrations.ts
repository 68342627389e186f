import { LATEST_VERSION, MIGRATIONS } from './_migrations.js';
import type { PostgresMigration } from './types.js';

/**
 * The schema version this release of the adapter reads and writes. {@link openPostgresStore}
 * refuses a schema at any other version.
 *
 * @example
 * ```ts
 * const { version } = await migrate({ pool, schema });
 * version === POSTGRES_SCHEMA_VERSION; // true
 * ```
 */
export const POSTGRES_SCHEMA_VERSION: number = LATEST_VERSION;

/**
 * The migrations shipped with this package, oldest first, for teams that apply SQL with their
 * own tool (Flyway, Sqitch, ...). Run each `sql` in a transaction with `search_path` set to
 * the target schema, and record it in `cloudmfa_migrations (version, name, checksum,
 * applied_at)` so that {@link openPostgresStore} and {@link migrate} recognise it. Prefer
 * {@link migrate}, which does exactly that under an advisory lock.
 *
 * @example
 * ```ts
 * import { listMigrations } from '@cloudmfa/storage-postgres';
 * for (const m of listMigrations()) writeFileSync(`V${m.version}__${m.name}.sql`, m.sql);
 * ```
 */
export function listMigrations(): PostgresMigration[] {
  return MIGRATIONS.map((m) => ({ ...m }));
}
