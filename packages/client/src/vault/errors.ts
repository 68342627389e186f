/**
 * Stable error codes thrown by the vault and the backup of `@cloudmfa/client` (in addition to
 * core's `ERR_INVALID_ARGUMENT` for developer misuse). Test against `code`, never `message`.
 * Outcomes a user causes (a wrong PIN, a cancelled biometric prompt) are typed results, not
 * errors. The meanings are in `docs/protocol/vault.md` section 8.
 *
 * | Code | Meaning |
 * |---|---|
 * | `ERR_VAULT_LOCKED` | the operation needs an unlocked vault (`read`, `write`, `setPin`...) |
 * | `ERR_VAULT_STATE` | the operation does not fit the vault's slots (`changePin` with no PIN, `unlockWithBiometrics` with no biometric slot...) |
 * | `ERR_VAULT_WIPED` | the vault was wiped; open a new one with `openVault` |
 * | `ERR_VAULT_DAMAGED` | the stored vault fails its integrity checks (never reported as a wrong PIN) |
 * | `ERR_VAULT_VERSION` | a vault written in a format version this SDK does not know |
 * | `ERR_VAULT_KDF_COST` | the stored PIN slot asks for KDF parameters above the caps (refused before the KDF runs) |
 * | `ERR_VAULT_KDF_FAILED` | the crypto provider's scrypt failed (the attempt stays counted) |
 * | `ERR_VAULT_STORE` | the host's secure store failed; the stored vault is the old or the new one |
 * | `ERR_VAULT_TOO_LARGE` | the contents do not fit one secure-store value |
 *
 * @example
 * ```ts
 * const code: VaultErrorCode = 'ERR_VAULT_DAMAGED';
 * ```
 */
export type VaultErrorCode =
  | 'ERR_VAULT_LOCKED'
  | 'ERR_VAULT_STATE'
  | 'ERR_VAULT_WIPED'
  | 'ERR_VAULT_DAMAGED'
  | 'ERR_VAULT_VERSION'
  | 'ERR_VAULT_KDF_COST'
  | 'ERR_VAULT_KDF_FAILED'
  | 'ERR_VAULT_STORE'
  | 'ERR_VAULT_TOO_LARGE';

/**
 * Stable error codes of `exportBackup`, `importBackup` and `importAegis`.
 *
 * | Code | Meaning |
 * |---|---|
 * | `ERR_BACKUP_FORMAT` | not a CloudMFA backup / not an Aegis export (wrong magic, not JSON, wrong shape) |
 * | `ERR_BACKUP_VERSION` | a backup format version this SDK does not know |
 * | `ERR_BACKUP_DAMAGED` | the file fails its integrity checks (truncated, bit flips, edited) |
 * | `ERR_BACKUP_PASSWORD` | the password does not open the file |
 * | `ERR_BACKUP_PASSWORD_REQUIRED` | the file is encrypted and no password was given |
 * | `ERR_BACKUP_KDF_COST` | the file asks for KDF parameters above the caps (refused before the KDF runs) |
 * | `ERR_BACKUP_KDF_FAILED` | the crypto provider's scrypt failed |
 * | `ERR_BACKUP_TOO_LARGE` | the file or the contents exceed the size cap |
 *
 * @example
 * ```ts
 * import { isCloudMfaError } from '@cloudmfa/core';
 * try {
 *   await importBackup({ file, password });
 * } catch (err) {
 *   if (isCloudMfaError(err, 'ERR_BACKUP_PASSWORD')) askForThePasswordAgain();
 * }
 * ```
 */
export type BackupErrorCode =
  | 'ERR_BACKUP_FORMAT'
  | 'ERR_BACKUP_VERSION'
  | 'ERR_BACKUP_DAMAGED'
  | 'ERR_BACKUP_PASSWORD'
  | 'ERR_BACKUP_PASSWORD_REQUIRED'
  | 'ERR_BACKUP_KDF_COST'
  | 'ERR_BACKUP_KDF_FAILED'
  | 'ERR_BACKUP_TOO_LARGE';
