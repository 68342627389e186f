import type { CryptoProvider, ScryptParams } from '@cloudmfa/core';
import type { SecureKeyValueStore } from '@cloudmfa/storage';

/**
 * The host's biometric-protected key storage (expo-local-authentication + SecureStore with
 * `requireAuthentication`, Android BiometricPrompt + Keystore, WebAuthn PRF...). The vault
 * hands it a random 32-byte key; the host keeps it where only the user's biometrics release it.
 *
 * @example
 * ```ts
 * const biometrics: BiometricKeySeam = {
 *   save: (key) => SecureStore.setItemAsync('vault.bio', encodeBase64Url(key), { requireAuthentication: true }),
 *   load: async ({ title }) => {
 *     const v = await SecureStore.getItemAsync('vault.bio', { requireAuthentication: true, authenticationPrompt: title }).catch(() => null);
 *     return v === null ? null : decodeBase64Url(v);
 *   },
 *   remove: () => SecureStore.deleteItemAsync('vault.bio'),
 * };
 * ```
 */
export interface BiometricKeySeam {
  /** Keeps `key` (32 random bytes) behind the user's biometrics. */
  save(key: Uint8Array): Promise<void>;
  /** Prompts; the key, or null when the user cancels or fails. */
  load(prompt: { title: string }): Promise<Uint8Array | null>;
  /** Forgets the key. */
  remove(): Promise<void>;
}

/**
 * Options of {@link openVault}.
 *
 * @example
 * ```ts
 * const options: OpenVaultOptions = { store: createMemorySecureStore(), autoLockMs: 120_000, maxPinAttempts: 10 };
 * ```
 */
export interface OpenVaultOptions {
  /** The host's secure storage (Keychain, Keystore, SecureStore, IndexedDB). Section 9 of the spec says what it must provide. */
  store: SecureKeyValueStore;
  /** Prefix of the store keys; `[A-Za-z0-9._-]`, at most 100 characters. Default `'cloudmfa.vault'`. */
  keyPrefix?: string;
  /** scrypt comes from here: plug a native KDF on phones. Default: the pure-JS provider. */
  crypto?: CryptoProvider;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Random source. Default `globalThis.crypto.getRandomValues`. */
  random?: (n: number) => Uint8Array;
  /** The host's biometric key storage; needed for `enableBiometrics` and `unlockWithBiometrics`. */
  biometrics?: BiometricKeySeam;
  /** scrypt parameters of a new PIN slot. Default {@link DEFAULT_PIN_KDF}; within {@link VAULT_KDF_LIMITS}. */
  pinKdf?: ScryptParams;
  /** Idle time (ms) before a PIN vault locks itself; 0 = never. Default 60_000. */
  autoLockMs?: number;
  /** Wipe the vault after this many wrong PINs in a row (1..1000). Default: never wipe. */
  maxPinAttempts?: number;
  /**
   * Wait (ms) imposed after the n-th wrong PIN in a row, index n-1; the last entry repeats.
   * Default {@link DEFAULT_PIN_DELAYS} (four free attempts, then 30 s, 1 min, 5 min, 15 min, 1 h).
   */
  pinDelays?: readonly number[];
}

/**
 * The vault's state as the UI shows it.
 *
 * @example
 * ```ts
 * const { state, retryAt } = vault.status();
 * if (state === 'locked' && retryAt !== null) showCountdown(retryAt - Date.now());
 * ```
 */
export interface VaultStatus {
  /** `'wiped'` after `wipe()` or too many wrong PINs: call `openVault` for a new vault. */
  readonly state: 'locked' | 'unlocked' | 'wiped';
  readonly hasPin: boolean;
  readonly hasBiometrics: boolean;
  /** Wrong PINs in a row (persisted; reset by a right PIN). */
  readonly failedPinAttempts: number;
  /** ms; no PIN is tried before it (wrong PINs impose growing delays). */
  readonly retryAt: number | null;
}

/**
 * The outcome of `unlock` and `unlockWithBiometrics`. A damaged vault is never one of these:
 * it throws `ERR_VAULT_DAMAGED`.
 *
 * @example
 * ```ts
 * const r = await vault.unlock(pin);
 * if (!r.ok && r.reason === 'wrong-pin') showAttemptsLeft(r.attemptsLeft);
 * ```
 */
export type UnlockResult =
  | { ok: true }
  | { ok: false; reason: 'wrong-pin'; failedPinAttempts: number; retryAt: number | null; attemptsLeft: number | null }
  | { ok: false; reason: 'too-soon'; retryAt: number }
  | { ok: false; reason: 'wiped' }
  /** Biometrics cancelled or failed (the host returned no key). */
  | { ok: false; reason: 'cancelled' }
  /** The host returned a key that does not open the biometric slot (for example the OS replaced it after a biometric re-enrolment): fall back to the PIN. */
  | { ok: false; reason: 'biometrics-invalid' };

/**
 * The sealed blob store with key slots. The engine owns the contents (its own encoding); the
 * vault never interprets them. One `Vault` per store and key prefix in a process: the
 * attempt counter is serialised per instance.
 *
 * @example
 * ```ts
 * const vault = await openVault({ store });
 * await vault.write(utf8Encode('{"identities":[]}'));
 * await vault.setPin('482913');
 * vault.lock();
 * const r = await vault.unlock('482913'); // { ok: true }
 * ```
 */
export interface Vault {
  /** The current status; applies the auto-lock first (now() against the last activity). */
  status(): VaultStatus;
  /** Tries a PIN; counted (persisted) before the KDF runs. A damaged vault throws `ERR_VAULT_DAMAGED`. */
  unlock(pin: string): Promise<UnlockResult>;
  /** Unlocks with the key the host keeps behind biometrics. */
  unlockWithBiometrics(prompt: { title: string }): Promise<UnlockResult>;
  /** Locks now (forgets the keys and contents). No effect on a vault without a PIN. */
  lock(): void;
  /** User activity: restarts the auto-lock timer. `read` and `write` do not. */
  touch(): void;
  /** A copy of the contents. Throws `ERR_VAULT_LOCKED` when locked. */
  read(): Uint8Array;
  /** Replaces the contents atomically: after a failure or crash at any step the old or the new vault opens. */
  write(contents: Uint8Array): Promise<void>;
  /** Unlocked, no PIN yet: replaces the device slot by a PIN slot under a fresh master key. */
  setPin(pin: string): Promise<void>;
  /** Unlocked, PIN set: re-wraps the master key under the new PIN (the contents ciphertext is unchanged). */
  changePin(newPin: string): Promise<void>;
  /** Unlocked, PIN set: back to a device slot (removes the biometric slot too). */
  removePin(): Promise<void>;
  /** Unlocked, PIN set, `biometrics` given: adds (or replaces) the biometric slot. */
  enableBiometrics(): Promise<void>;
  /** Unlocked: removes the biometric slot and asks the host to forget its key. */
  disableBiometrics(): Promise<void>;
  /** Called with the new status whenever it changes; returns the unsubscribe function. */
  subscribe(listener: (status: VaultStatus) => void): () => void;
  /** Deletes everything the vault stored. The status becomes `'wiped'`. */
  wipe(): Promise<void>;
}
