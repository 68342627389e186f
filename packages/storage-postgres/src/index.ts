/** @module @cloudmfa/storage-postgres */
export { listMigrations, POSTGRES_SCHEMA_VERSION } from './listMigrations.js';
export { migrate } from './migrate.js';
export { openPostgresStore } from './openPostgresStore.js';
export type {
  MigrateOptions,
  MigrationReport,
  PostgresMigration,
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryConfig,
  PostgresQueryResult,
  PostgresStore,
  PostgresStoreOptions,
} from './types.js';
