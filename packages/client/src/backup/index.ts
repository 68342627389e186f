// Backup: the vault format with a password slot. The Aegis import is its own entry point
// (../aegis.ts, `@cloudmfa/client/aegis`), so its AES-GCM ships only in apps that import it.
export { exportBackup, type ExportBackupOptions, MAX_BACKUP_CONTENTS, MIN_BACKUP_PASSWORD_LENGTH } from './exportBackup.js';
export { importBackup, type ImportBackupOptions } from './importBackup.js';
