// The vault seam (CLIENT-CONTRACT.md), as the vault defines it.
export type { BiometricKeySeam,  UnlockResult, Vault, VaultStatus } from './vault/index.js';
