import { CloudMfaError } from '@cloudmfa/core';
import { checkOptions, PREFIX_RE } from './openVault.js';
import type { OpenVaultOptions } from './types.js';

/**
 * Deletes a vault's records from `store` without opening it: the way out of
 * `ERR_VAULT_DAMAGED` (then restore a backup). Idempotent.
 *
 * @example
 * ```ts
 * try {
 *   vault = await openVault({ store });
 * } catch (err) {
 *   if (!isCloudMfaError(err, 'ERR_VAULT_DAMAGED')) throw err;
 *   await wipeVault({ store });
 *   vault = await openVault({ store }); // a new, empty vault
 * }
 * ```
 */
export async function wipeVault(options: { store: OpenVaultOptions['store']; keyPrefix?: string }): Promise<void> {
  checkOptions(options);
  const { store, keyPrefix = 'cloudmfa.vault' } = options;
  if (typeof keyPrefix !== 'string' || !PREFIX_RE.test(keyPrefix)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"keyPrefix" expected 1..100 characters of [A-Za-z0-9._-]');
  }
  for (const suffix of ['ptr', 'v0', 'v1', 'dev', 'pin']) {
    try {
      await store.delete(`${keyPrefix}.${suffix}`);
    } catch {
      throw new CloudMfaError('ERR_VAULT_STORE', 'the secure store failed to delete');
    }
  }
}
