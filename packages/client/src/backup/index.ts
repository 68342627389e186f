// Backup: the vault format with a password slot, and imports from other apps.
export { exportBackup, type ExportBackupOptions, MAX_BACKUP_CONTENTS, MIN_BACKUP_PASSWORD_LENGTH } from './exportBackup.js';
export { type AegisImport, type AegisSkipped, type ImportAegisOptions, importAegis, MAX_AEGIS_JSON_LENGTH, type OtpEntry } from './importAegis.js';
export { importBackup, type ImportBackupOptions } from './importBackup.js';
