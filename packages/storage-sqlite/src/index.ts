/** @module @cloudmfa/storage-sqlite */
export { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './openSqliteStore.js';
export { SQLITE_SCHEMA_VERSION } from './_schema.js';
