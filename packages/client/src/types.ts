import type { ActivationPolicy, DevicePlatform } from '@cloudmfa/activation';
import type { OtpAlgorithm } from '@cloudmfa/otp';
import type { CryptoProvider, Signer } from '@cloudmfa/core';
import type { SecureKeyValueStore } from '@cloudmfa/storage';
import type { AegisImport, ImportAegisOptions } from './backup/importAegis.js';
import type { BiometricKeySeam } from './_vaultSeam.js';

/**
 * The host's device keys: ES256 keys created and kept by the platform (Secure Enclave, Android
 * Keystore, WebCrypto non-extractable keys), addressed by a handle the engine chooses and keeps
 * in the vault. `createSoftwareDeviceKeys` is the software fallback.
 *
 * @example
 * ```ts
 * const deviceKeys: DeviceKeySeam = {
 *   create: async (handle) => signerFromHost(await Enclave.createKey(handle)),
 *   load: async (handle) => { const k = await Enclave.loadKey(handle); return k ? signerFromHost(k) : null; },
 *   remove: (handle) => Enclave.deleteKey(handle),
 * };
 * ```
 */
export interface DeviceKeySeam {
  /** Creates a new ES256 key under `handle` (replacing any) and returns its signer. */
  create(handle: string): Promise<Signer>;
  /** The signer of the key under `handle`, or `null` when there is none. */
  load(handle: string): Promise<Signer | null>;
  /** Deletes the key under `handle` (no error when there is none). */
  remove(handle: string): Promise<void>;
}

/**
 * `fetch` as the engine uses it: the global one, or anything with its shape (a test's handler).
 *
 * @example
 * ```ts
 * const fetch: FetchLike = (url, init) => handler(new Request(url, init));
 * ```
 */
export type FetchLike = (input: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

/**
 * Options of {@link createAuthenticator}.
 *
 * @example
 * ```ts
 * const auth = await createAuthenticator({ store, deviceKeys, fetch: globalThis.fetch, platform: 'ios', pushToken });
 * ```
 */
export interface AuthenticatorOptions {
  /** Host secure storage (Keychain, Keystore, SecureStore, IndexedDB). */
  store: SecureKeyValueStore;
  /** Hardware device keys, or `createSoftwareDeviceKeys({ store })`. */
  deviceKeys: DeviceKeySeam;
  /** Reaches the servers' device routes. Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Where scrypt and signatures run (plug a native scrypt here). Default pure JS. */
  crypto?: CryptoProvider;
  /** The phone's clock (ms). Default `Date.now`. */
  now?: () => number;
  /** Randomness. Default `crypto.getRandomValues`. */
  random?: (n: number) => Uint8Array;
  /** Biometric unlock (optional). */
  biometrics?: BiometricKeySeam;
  /** Reported at redemption. Default `other`. */
  platform?: DevicePlatform;
  /** The APNs/FCM token given at redemption, or `null` (the app polls). Change it with `setPushToken`. */
  pushToken?: string | null;
  /** Prefix of every key the engine and its vault keep in `store`. Default `cloudmfa`. */
  keyPrefix?: string;
  /** Network timeout per request, ms, 1,000..120,000. Default 15,000. */
  timeoutMs?: number;
  /** Vault settings (docs/protocol/vault.md). */
  vault?: { autoLockMs?: number; maxPinAttempts?: number; pinKdf?: { N: number; r: number; p: number; dkLen: number } };
  /** Title of the biometric prompt. Default `Unlock`. */
  biometricPromptTitle?: string;
  /**
   * Reads Aegis exports in `importBackup`: pass `importAegis` from `@cloudmfa/client/aegis`.
   * Opt-in so that apps which do not offer the move from Aegis do not ship its AES-GCM
   * (React Native's Metro bundles whatever is imported). Without it, an Aegis export is
   * refused with `aegis-not-enabled`.
   */
  aegis?: (options: ImportAegisOptions) => Promise<AegisImport>;
}

/**
 * OTP parameters of an identity (no secret).
 *
 * @example
 * ```ts
 * const otp: IdentityOtp = { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 };
 * ```
 */
export type IdentityOtp =
  | { readonly type: 'totp'; readonly algorithm: OtpAlgorithm; readonly digits: number; readonly period: number }
  | { readonly type: 'hotp'; readonly algorithm: OtpAlgorithm; readonly digits: number; readonly counter: number };

/**
 * An identity's policy: what the organisation set in the activation envelope, and whether it lets
 * the app put the identity's TOTP seed in encrypted backups (the redemption response says so,
 * docs/protocol/activation.md 5.5; `false` for anything not activated online, whose seed is
 * exported anyway since no device key binds it).
 *
 * @example
 * ```ts
 * if (identity.push && !identity.policy.seedExportAllowed) showNotInBackups(identity);
 * ```
 */
export interface IdentityPolicy extends ActivationPolicy {
  readonly seedExportAllowed: boolean;
}

/**
 * One identity as the UI lists it. No secret.
 *
 * @example
 * ```ts
 * for (const identity of auth.list()) render(identity.name, identity.issuer, identity.account);
 * ```
 */
export interface Identity {
  readonly id: string;
  /** The user's name for it (from `rename`), initially the company name. */
  readonly name: string;
  readonly issuer: string;
  readonly account: string;
  /** How it was added. */
  readonly source: 'online' | 'offline' | 'otpauth' | 'migration' | 'backup' | 'aegis';
  readonly otp: IdentityOtp;
  /** The organisation's policy from the activation (otpauth imports: no PIN required). */
  readonly policy: IdentityPolicy;
  /** Push-capable identities (online activation): the server and the enrolment. */
  readonly push: { readonly origin: string; readonly enrolmentId: string } | null;
  /** ms since the epoch. */
  readonly addedAt: number;
}

/**
 * What the UI shows per identity at one tick of {@link Authenticator.codes}.
 *
 * @example
 * ```ts
 * const r = auth.codes();
 * if (r.ok) for (const c of r.codes) if (c.type === 'totp') ring(c.id, c.fraction, c.code);
 * ```
 */
export type IdentityCode =
  | {
      readonly id: string;
      readonly type: 'totp';
      readonly code: string;
      readonly next: string;
      /** Whole seconds until `code` changes (1..period). */
      readonly secondsLeft: number;
      /** Elapsed part of the period, 0 (fresh) ..1 (about to change). */
      readonly fraction: number;
      readonly period: number;
    }
  | {
      readonly id: string;
      readonly type: 'hotp';
      /** The last code `nextHotpCode` generated, or `null` before the first. */
      readonly code: string | null;
      /** The counter the next code will use. */
      readonly counter: number;
    };

/**
 * What the engine knows of the phone's clock: `offsetMs` is server time minus phone time.
 *
 * @example
 * ```ts
 * if (auth.clock().skewed) banner(`Your phone's clock is ${Math.round(-auth.clock().offsetMs / 1000)} s fast`);
 * ```
 */
export interface ClockStatus {
  readonly offsetMs: number;
  /** Where the offset came from last: `none` until a server has been heard. */
  readonly source: 'none' | 'server-time' | 'redemption' | 'push';
  /** ms (phone time) when it was learned, or `null`. */
  readonly learnedAt: number | null;
  /** True when the phone is off by more than one period (30 s). */
  readonly skewed: boolean;
}

/**
 * A pending push request as the inbox lists it.
 *
 * @example
 * ```ts
 * for (const r of auth.inbox()) showRequest(r.service, r.ip, r.location, r.secondsLeft, r.numberMatch);
 * ```
 */
export interface InboxItem {
  readonly id: string;
  readonly identityId: string;
  readonly identityName: string;
  readonly issuer: string;
  readonly service: string;
  readonly message?: string;
  readonly ip?: string;
  readonly location?: string;
  readonly device?: string;
  /** ms since the epoch (server time) of the sign-in attempt, when the server sent it. */
  readonly time?: number;
  /** ms since the epoch (server time). */
  readonly expiresAt: number;
  readonly secondsLeft: number;
  /** The user must type the number shown on the sign-in page before Confirm. */
  readonly numberMatch: boolean;
  /** Confirm and Suspicious need the PIN (an unlocked vault). */
  readonly requiresPin: boolean;
}

/**
 * A change the UI should re-render for.
 *
 * @example
 * ```ts
 * const stop = auth.subscribe((e: AuthenticatorEvent) => { if (e.type === 'inbox') setInbox(auth.inbox()); });
 * ```
 */
export interface AuthenticatorEvent {
  readonly type: 'identities' | 'inbox' | 'lock' | 'clock';
}
