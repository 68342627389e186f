// The vault: a sealed blob store with key slots (docs/protocol/vault.md).
export type { BackupErrorCode, VaultErrorCode } from './errors.js';
export { DEFAULT_BACKUP_KDF, DEFAULT_PIN_KDF, VAULT_KDF_LIMITS } from './kdf.js';
export { DEFAULT_PIN_DELAYS, MIN_PIN_LENGTH, openVault } from './openVault.js';
export { wipeVault } from './wipeVault.js';
export type { BiometricKeySeam, OpenVaultOptions, UnlockResult, Vault, VaultStatus } from './types.js';
