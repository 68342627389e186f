// Public data types of the activation protocol. Everything here is JSON-able: binary fields are
// base64url strings (the OTP seed of an offline payload is base32, as in otpauth URIs), so a
// CLI, an HTTP body or a database row carries them as they are.

import type { OtpAlgorithm } from '@cloudmfa/otp';

/**
 * TOTP parameters (RFC 6238): `digits` 6..10, `period` in seconds 1..3600.
 *
 * @example
 * ```ts
 * const otp: TotpParameters = { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 };
 * ```
 */
export interface TotpParameters {
  type: 'totp';
  algorithm: OtpAlgorithm;
  digits: number;
  period: number;
}

/**
 * HOTP parameters (RFC 4226): `digits` 6..10, `counter` the next counter value (0..2^53-1).
 *
 * @example
 * ```ts
 * const otp: HotpParameters = { type: 'hotp', algorithm: 'SHA1', digits: 6, counter: 0 };
 * ```
 */
export interface HotpParameters {
  type: 'hotp';
  algorithm: OtpAlgorithm;
  digits: number;
  counter: number;
}

/**
 * The organisation's policy for the identity on the phone. `minPinLength` (4..16) applies
 * when `pinRequired`.
 *
 * @example
 * ```ts
 * const policy: ActivationPolicy = { pinRequired: true, minPinLength: 6, biometricsAllowed: true };
 * ```
 */
export interface ActivationPolicy {
  pinRequired: boolean;
  minPinLength: number;
  biometricsAllowed: boolean;
}

/**
 * The payload of an online envelope (the default): no seed and no account, a one-time
 * activation secret. `activationId` is 16 bytes and `activationSecret` 32 bytes, both
 * base64url. The secret is a credential until the activation is redeemed or expired: never
 * log it. The server keeps the account beside the payload and gives it to
 * `createRedemptionResponse`, which returns it to the device encrypted.
 * Create one with `createActivationPayload`.
 *
 * @example
 * ```ts
 * const payload = createActivationPayload({ issuer: 'Acme', origin: 'https://mfa.acme.test' });
 * ```
 */
export interface OnlineActivationPayload {
  mode: 'online';
  activationId: string;
  activationSecret: string;
  issuer: string;
  /** `https://host[:port]` (or `http://` for loopback hosts), lowercase, no path. */
  origin: string;
  policy: ActivationPolicy;
  otp: TotpParameters;
}

/**
 * The payload of an offline envelope (explicit opt-in): the OTP identity itself. `secret` is
 * the seed in base32 (RFC 4648, no padding), as in otpauth URIs. Whoever holds the QR and the
 * password holds the seed: see the offline caveat in docs/protocol/activation.md.
 *
 * @example
 * ```ts
 * const payload: OfflineActivationPayload = {
 *   mode: 'offline', secret: 'JBSWY3DPEHPK3PXP', issuer: 'Acme', account: 'jane@acme.test',
 *   policy: { pinRequired: false, minPinLength: 6, biometricsAllowed: true },
 *   otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
 * };
 * ```
 */
export interface OfflineActivationPayload {
  mode: 'offline';
  secret: string;
  /** May be empty, as an otpauth URI's issuer may be absent. */
  issuer: string;
  account: string;
  policy: ActivationPolicy;
  otp: TotpParameters | HotpParameters;
}

/** Either envelope payload, discriminated by `mode`. */
export type ActivationPayload = OnlineActivationPayload | OfflineActivationPayload;

/**
 * Password KDF settings for sealing, with the protocol defaults: scrypt `log2N` 15, `r` 8,
 * `p` 1; PBKDF2-HMAC-SHA256 600 000 iterations. Sealing refuses settings below the floor
 * (scrypt `N·r >= 2^17`, PBKDF2 `iterations >= 100 000`).
 *
 * @example
 * ```ts
 * const kdf: KdfSettings = { algorithm: 'pbkdf2-sha256', iterations: 600_000 };
 * ```
 */
export type KdfSettings =
  | { algorithm: 'scrypt'; log2N?: number; r?: number; p?: number }
  | { algorithm: 'pbkdf2-sha256'; iterations?: number };

/** KDF parameters as they appear in an envelope header. */
export type KdfParameters =
  | { algorithm: 'scrypt'; log2N: number; r: number; p: number }
  | { algorithm: 'pbkdf2-sha256'; iterations: number };

/**
 * Caps a decoder applies to attacker-controlled costs before doing any work. The defaults
 * (`DEFAULT_ENVELOPE_LIMITS`) are 2x-4x the sealing defaults.
 *
 * @example
 * ```ts
 * await openEnvelope({ text, password, limits: { scryptMaxMemoryBytes: 32 * 1024 * 1024 } });
 * ```
 */
export interface EnvelopeLimits {
  /** Largest scrypt memory `128·N·r` in bytes. Default 64 MiB. */
  scryptMaxMemoryBytes: number;
  /** Largest scrypt work `N·r·p`. Default 2^20. */
  scryptMaxWork: number;
  /** Largest PBKDF2 iteration count. Default 2 000 000. */
  pbkdf2MaxIterations: number;
  /** Longest envelope text in characters. Default 1024. */
  maxTextLength: number;
}

/**
 * The clear header of an envelope: readable without the password (`readEnvelopeHeader`),
 * authenticated only once the envelope is opened. Times are milliseconds since the epoch.
 *
 * @example
 * ```ts
 * const { expiresAt } = readEnvelopeHeader({ text });
 * ```
 */
export interface EnvelopeHeader {
  version: 1;
  mode: 'online' | 'offline';
  kdf: KdfParameters;
  issuedAt: number;
  expiresAt: number;
}

/**
 * What the user reviews before the app stores or sends anything. Contains no secret.
 * Times are milliseconds since the epoch. An online preview has no account (the QR does not
 * carry it): show `RedeemedIdentity.account` on the confirmation screen after redemption.
 *
 * @example
 * ```ts
 * const { preview } = await openEnvelope({ text, password });
 * const who = preview.mode === 'offline' ? `${preview.account} at ` : '';
 * confirm(`Add ${who}${preview.issuer}?`);
 * ```
 */
export type ActivationPreview =
  | {
      mode: 'online';
      issuer: string;
      origin: string;
      policy: ActivationPolicy;
      otp: TotpParameters;
      issuedAt: number;
      expiresAt: number;
    }
  | {
      mode: 'offline';
      issuer: string;
      account: string;
      policy: ActivationPolicy;
      otp: TotpParameters | HotpParameters;
      issuedAt: number;
      expiresAt: number;
    };

/** The platform a device reports at redemption. */
export type DevicePlatform = 'ios' | 'android' | 'web' | 'other';

/**
 * The app's redemption request, JSON as sent over HTTP (binary fields base64url). See
 * docs/protocol/activation.md section 5.3.
 *
 * @example
 * ```ts
 * await fetch(`${payload.origin}/v1/activations/redeem`, { method: 'POST', body: JSON.stringify(request) });
 * ```
 */
export interface RedemptionRequest {
  version: 1;
  activationId: string;
  devicePublicKey: string;
  ephemeralPublicKey: string;
  platform: DevicePlatform;
  pushToken: string | null;
  /** Unix seconds, from the app's clock. */
  createdAt: number;
  mac: string;
  signature: string;
}

/**
 * The server's redemption response, JSON as sent over HTTP. The seed is inside `ciphertext`,
 * encrypted to the app's ephemeral key.
 *
 * @example
 * ```ts
 * const identity = await openRedemptionResponse({ response: await res.json(), state });
 * ```
 */
export interface RedemptionResponse {
  version: 1;
  activationId: string;
  serverEphemeralPublicKey: string;
  nonce: string;
  ciphertext: string;
}

/**
 * The server's push-signing public key, pinned by the app at activation: `ES256` (65-byte
 * uncompressed P-256) or `EdDSA` (32-byte Ed25519).
 *
 * @example
 * ```ts
 * const pushKey: PushSigningKey = { algorithm: 'ES256', publicKey: serverSigner.publicKey };
 * ```
 */
export interface PushSigningKey {
  algorithm: 'ES256' | 'EdDSA';
  publicKey: Uint8Array;
}
