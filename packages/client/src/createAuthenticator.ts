import { buildAuthenticator } from './_engine.js';
import type { Authenticator } from './_engine.js';
import { clientError } from './errors.js';
import type { AuthenticatorOptions } from './types.js';
import { openVault } from './vault/index.js';

/**
 * Creates the authenticator engine (docs/client.md): opens (or creates) the vault in `store`,
 * reads the public index beside it, and returns one object for identities, scan routing, the
 * activation flow, codes with clock correction, the push inbox, backup and change events.
 * A new vault is unlocked with a device slot; a vault with a PIN opens locked.
 *
 * Throws `ERR_INVALID_ARGUMENT` for missing seams, the vault's `ERR_VAULT_DAMAGED` /
 * `ERR_VAULT_VERSION` / `ERR_VAULT_STORE` when the stored vault cannot be opened, and
 * `ERR_CLIENT_CONTENTS` when it holds contents this engine did not write.
 *
 * @example
 * ```ts
 * const store = createMemorySecureStore(); // Keychain / Keystore / SecureStore on a phone
 * const auth = await createAuthenticator({ store, deviceKeys: createSoftwareDeviceKeys({ store }), platform: 'ios', pushToken });
 * const scanned = auth.scan(cameraText);
 * const begun = auth.begin(cameraText);
 * if (begun.ok && begun.flow.step().step === 'password') await begun.flow.unlock(typedPassword);
 * ```
 */
export async function createAuthenticator(options: AuthenticatorOptions): Promise<Authenticator> {
  if (typeof options !== 'object' || options === null) throw clientError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  const { store, deviceKeys, keyPrefix = 'cloudmfa' } = options;
  if (typeof store !== 'object' || store === null || typeof store.get !== 'function' || typeof store.set !== 'function' || typeof store.delete !== 'function') {
    throw clientError('ERR_INVALID_ARGUMENT', '"store" expected a SecureKeyValueStore');
  }
  if (typeof deviceKeys !== 'object' || deviceKeys === null || typeof deviceKeys.create !== 'function' || typeof deviceKeys.load !== 'function' || typeof deviceKeys.remove !== 'function') {
    throw clientError('ERR_INVALID_ARGUMENT', '"deviceKeys" expected a DeviceKeySeam { create, load, remove }');
  }
  if (options.aegis !== undefined && typeof options.aegis !== 'function') throw clientError('ERR_INVALID_ARGUMENT', '"aegis" expected importAegis from @cloudmfa/client/aegis');
  if (typeof keyPrefix !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(keyPrefix)) throw clientError('ERR_INVALID_ARGUMENT', '"keyPrefix" expected 1..40 of [A-Za-z0-9_-]');
  const vault = await openVault({
    store,
    keyPrefix: `${keyPrefix}.vault`,
    ...(options.crypto ? { crypto: options.crypto } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.biometrics ? { biometrics: options.biometrics } : {}),
    ...(options.vault?.autoLockMs !== undefined ? { autoLockMs: options.vault.autoLockMs } : {}),
    ...(options.vault?.maxPinAttempts !== undefined ? { maxPinAttempts: options.vault.maxPinAttempts } : {}),
    ...(options.vault?.pinKdf ? { pinKdf: options.vault.pinKdf } : {}),
  });
  return buildAuthenticator(options, vault);
}
