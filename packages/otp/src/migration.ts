/** @module @cloudmfa/otp/migration */
// `@cloudmfa/otp/migration`: Google Authenticator migration QR import (the exporter is at
// `@cloudmfa/otp/server`, beside the other writers). A subpath of
// its own so the apps and servers that never read a migration QR do not ship its decoder.
export { importMigration } from './importMigration.js';
export type { MigrationImport, OtpauthInput, ParsedOtpauthUri } from './types.js';
