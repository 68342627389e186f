/** @module @cloudmfa/otp/migration */
// `@cloudmfa/otp/migration`: Google Authenticator migration QR import and export. A subpath of
// its own so the apps and servers that never read a migration QR do not ship its decoder.
export { type ExportMigrationOptions, exportMigration } from './exportMigration.js';
export { importMigration } from './importMigration.js';
export type { MigrationImport, OtpauthInput, ParsedOtpauthUri } from './types.js';
