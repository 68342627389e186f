// Public types of @cloudmfa/server. Types only: no runtime code lives here.
import type { DeliverWebhooksResult, WebhookEndpointStatus, WebhookOptions } from './webhooks/types.js';
import type { RedemptionResponse } from '@cloudmfa/activation';
import type { Clock, CryptoProvider, RandomSource, Signer } from '@cloudmfa/core';
import type { OtpAlgorithm } from '@cloudmfa/otp';
import type { PushContext } from '@cloudmfa/push';
import type { ApnsPayloadResult, FcmPushMessage, PushAlert, SizedPayload } from '@cloudmfa/push/server';
import type { AuditPage, AuditQuery, ChallengeStatus, JsonObject, MfaStore } from '@cloudmfa/storage';
import type { ActivationRefusalCode } from './errors.js';
import type { MfaServerPolicy, MfaServerPolicyInput } from './policy.js';
import type { MfaTelemetry } from './telemetry.js';

/**
 * Key-encryption keys for seeds at rest: `current` seals, every key in `keys` opens. Each key
 * is 32 bytes (AES-256); ids match `^[A-Za-z0-9._-]{1,64}$`. Load them from your KMS or secret
 * manager, never from the same database as the store.
 *
 * @example
 * ```ts
 * const kek: KeyEncryptionKeys = { current: '2026-01', keys: { '2025-07': oldKey, '2026-01': newKey } };
 * ```
 */
export interface KeyEncryptionKeys {
  current: string;
  keys: Readonly<Record<string, Uint8Array>>;
}

/**
 * Where key-encryption keys live when they are not bytes in this process: an HSM (PKCS#11), a
 * cloud KMS, Vault Transit (docs/server.md section 2.1). The server seals each secret under a
 * fresh 32-byte data key and asks the provider to wrap that data key; `associatedData` binds
 * the wrap to the enrolment (pass it to the KMS as encryption context / AAD).
 *
 * Errors: a wrapped key that is not authentic throws `ERR_SERVER_DECRYPT`, an unknown KEK id
 * `ERR_SERVER_KEY_UNKNOWN`, anything else (network, HSM session, throttling)
 * `ERR_KEK_UNAVAILABLE`. Never put a key or a wrapped key into an error.
 *
 * @example
 * ```ts
 * const vault: KekProvider = {
 *   currentKeyId: 'mfa-kek',
 *   wrapKey: async ({ dataKey, associatedData }) => ({ keyId: 'mfa-kek', wrappedKey: await transitEncrypt('mfa-kek', dataKey, associatedData) }),
 *   unwrapKey: ({ keyId, wrappedKey, associatedData }) => transitDecrypt(keyId, wrappedKey, associatedData),
 * };
 * ```
 */
export interface KekProvider {
  /** The KEK id that wraps new data keys: `^[A-Za-z0-9._-]{1,64}$`. */
  readonly currentKeyId: string;
  /** Wraps `dataKey` (32 bytes) under the current KEK; returns the KEK id used and 1..1024 bytes. */
  wrapKey(options: { dataKey: Uint8Array; associatedData: Uint8Array }): Promise<{ keyId: string; wrappedKey: Uint8Array }>;
  /** Unwraps under KEK `keyId`, checking `associatedData`; returns the 32-byte data key. */
  unwrapKey(options: { keyId: string; wrappedKey: Uint8Array; associatedData: Uint8Array }): Promise<Uint8Array>;
}

/**
 * Bounds of the cache of unwrapped data keys (docs/server.md section 2.1). Entries are
 * non-extractable WebCrypto keys, never raw bytes.
 *
 * @example
 * ```ts
 * const dataKeyCache: DataKeyCacheOptions = { maxEntries: 50_000, ttlMs: 60_000 };
 * ```
 */
export interface DataKeyCacheOptions {
  /** Default 10000; 0 turns the cache off (one provider call per opened secret). */
  maxEntries?: number;
  /** How long an unwrapped key is reused, from its unwrap (server clock). Default 300000 (5 min). */
  ttlMs?: number;
}

/**
 * The server's keys: the seed key-encryption keys (bytes held in memory, or a
 * {@link KekProvider}) and the push-signing key (whose public key apps pin at redemption:
 * rotating it means re-enrolling).
 *
 * @example
 * ```ts
 * const keys: MfaServerKeys = { kek, push: createSoftwareSigner({ algorithm: 'ES256', privateKey }) };
 * const hsmKeys: MfaServerKeys = { kek: pkcs11Kek, push: pkcs11Signer, legacyKek: kek };
 * ```
 */
export interface MfaServerKeys {
  kek: KeyEncryptionKeys | KekProvider;
  push: Signer;
  /**
   * Beside a provider while migrating from an in-memory ring: opens rows sealed before under
   * these keys (formats 0x01, 0x02, and 0x03 wrapped by them) until rotation re-wraps them.
   */
  legacyKek?: KeyEncryptionKeys;
  dataKeyCache?: DataKeyCacheOptions;
}

/**
 * Audit kinds this package writes (docs/server.md section 6).
 *
 * @example
 * ```ts
 * const kind: MfaAuditKind = 'otp.locked';
 * ```
 */
export type MfaAuditKind =
  | 'enrolment.issued'
  | 'enrolment.redeemed'
  | 'enrolment.redeem_refused'
  | 'enrolment.double_redemption'
  | 'enrolment.revoked'
  | 'enrolment.tampered'
  | 'otp.accepted'
  | 'otp.refused'
  | 'otp.locked'
  | 'otp.unlocked'
  | 'otp.resynced'
  | 'push.approved'
  | 'push.denied'
  | 'push.suspicious'
  | 'push.resumed'
  | 'organisation.created'
  | 'organisation.updated';

/**
 * One audited event as the `events` sink receives it, after it was written to the audit log.
 * `risk` marks what a SIEM should alert on (double redemption, redemption failure budget,
 * OTP lockout, Suspicious). `detail` never holds a secret.
 *
 * @example
 * ```ts
 * const events: MfaEventSink = (e) => { if (e.risk) pager.alert(e.kind, e.userId); };
 * ```
 */
export interface MfaEvent {
  /** The audit entry id (unique within its organisation's log). */
  id: string;
  /** The organisation whose audit log holds the entry (`'default'` for the server's own). */
  organisationId: string;
  at: number;
  kind: MfaAuditKind;
  enrolmentId: string | null;
  userId: string | null;
  detail: JsonObject;
  risk: boolean;
}

/**
 * Receives every audited event. Errors and rejections are swallowed: a sink can never break a
 * verification.
 *
 * @example
 * ```ts
 * const sink: MfaEventSink = async (event) => { await siem.send(JSON.stringify(event)); };
 * ```
 */
export type MfaEventSink = (event: MfaEvent) => void | Promise<void>;

/**
 * Options of `createMfaServer`.
 *
 * @example
 * ```ts
 * const options: MfaServerOptions = { store, keys, issuer: 'Acme', origin: 'https://mfa.acme.example', clock, random };
 * ```
 */
export interface MfaServerOptions {
  /** The store set; give it the same `clock`. The caller owns and closes it. */
  store: MfaStore;
  keys: MfaServerKeys;
  /** Display name in envelopes and otpauth URIs: 1..64 UTF-8 bytes, no control or bidi characters. */
  issuer: string;
  /** Where apps redeem (`https://host[:port]`; `http://` on loopback). Required for online mode. */
  origin?: string;
  policy?: MfaServerPolicyInput;
  events?: MfaEventSink;
  /** Default `systemClock`. */
  clock?: Clock;
  /** Default `systemRandom`. */
  random?: RandomSource;
  /**
   * Default: `webCryptoProvider()` where `crypto.subtle` exists (fast P-256 verify), else pure
   * JS; on Node, Bun and Deno (the package's `node` condition) over node:crypto's native scrypt
   * and PBKDF2, elsewhere over the pure-JS ones (docs/server.md section 12.3). A provider whose
   * `hash` is the SDK's pure-JS SHA-256 (as here) has the server's SHA-256 ids (outbox keys,
   * guard ids) computed by node:crypto where the runtime has it: the same bytes.
   */
  crypto?: CryptoProvider;
  /**
   * ms a store call may take before the operation fails with `ERR_STORAGE_UNAVAILABLE` (HTTP
   * 503 with `Retry-After`); default 250, 1..60000. `guard.consume` is never cut short: its
   * outcome decides what the caller is told (docs/server.md section 4.1).
   */
  storeDeadlineMs?: number;
  /**
   * How the accepted code's entry (`otp.accepted`, or `otp.resynced`) moves from the guard store's
   * outbox to the audit log, where the two are different stores (a composed store, Redis without `singleServer`, a
   * wrapped audit log; docs/server.md section 4.1). `'inline'` (default): the acceptance awaits
   * the move. `'background'`: the acceptance answers right after the consume and the move
   * follows, at most `maxAuditMovesInFlight` at once per server (past it an acceptance awaits its
   * own move); the entry and its `events` call may come shortly after the answer, its durability
   * is the same (it is in the outbox before the answer). Wait for them with
   * {@link MfaServer.flushAuditMoves}. No effect on a store that logs the entry with the consume.
   */
  auditMove?: 'inline' | 'background';
  /**
   * With `auditMove: 'background'`: the moves in flight at most, for the whole server (every
   * organisation's); default 256, 1..65536. Given with `'inline'`, `ERR_SERVER_CONFIG`.
   */
  maxAuditMovesInFlight?: number;
  /**
   * Metrics and traces (docs/server.md section 12.1): every facade operation's outcome and
   * duration, every store call. `createOtelTelemetry()` from `@cloudmfa/server/otel` reports to
   * OpenTelemetry. Default: none (nothing is wrapped).
   */
  telemetry?: MfaTelemetry;
  /** Webhook endpoints that receive audit and risk events (docs/server.md section 13). */
  webhooks?: WebhookOptions;
  /**
   * The keys of each stored organisation (docs/server.md, "Organisations"): a KEK ring or provider
   * and a push signer per organisation, so each can sit in its own HSM or KMS key. Called once
   * per organisation id (the answer is remembered; a rejection is not) the first time the
   * organisation serves an operation. Absent: only the default organisation (this options
   * object's own `keys`) can serve operations.
   */
  organisationKeys?: (organisationId: string) => MfaServerKeys | Promise<MfaServerKeys>;
}

/**
 * How an enrolment is issued: `online` (default; envelope without seed, redeemed by the app),
 * `offline` (envelope with the seed), `otpauth` (plain otpauth URI for third-party apps).
 *
 * @example
 * ```ts
 * await server.startActivation({ userId: 'alice', mode: 'otpauth' });
 * ```
 */
export type ActivationMode = 'online' | 'offline' | 'otpauth';

/**
 * OTP parameters of an enrolment as stored (`counter` is the initial HOTP counter).
 *
 * @example
 * ```ts
 * const otp: EnrolmentOtp = { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 };
 * ```
 */
export type EnrolmentOtp =
  | { type: 'totp'; algorithm: OtpAlgorithm; digits: number; period: number }
  | { type: 'hotp'; algorithm: OtpAlgorithm; digits: number; counter: number };

/**
 * The activation settings `startActivation` and `reissueActivation` share. OTP fields default
 * from `policy.otp`; online mode is TOTP only.
 *
 * @example
 * ```ts
 * const settings: ActivationSettings = { mode: 'offline', otp: { type: 'hotp', counter: 0 } };
 * await server.startActivation({ userId: 'bob', ...settings });
 * ```
 */
export interface ActivationSettings {
  mode?: ActivationMode;
  /** The account label shown in the app. Default: the user id. */
  account?: string;
  otp?: {
    type?: 'totp' | 'hotp';
    algorithm?: OtpAlgorithm;
    digits?: number;
    period?: number;
    counter?: number;
  };
  /** 10..65535 seconds (envelope v1 carries a u16). Default `policy.activation.lifetimeSeconds`. */
  lifetimeSeconds?: number;
}

/**
 * The one argument of `startActivation`.
 *
 * @example
 * ```ts
 * await server.startActivation({ userId: 'bob', mode: 'offline', account: 'bob@acme.example', otp: { type: 'hotp', counter: 0 } });
 * ```
 */
export interface StartActivationOptions extends ActivationSettings {
  /** Your user id (1..256 characters). */
  userId: string;
}

/**
 * The one argument of `reissueActivation`: the enrolment to replace, and settings that
 * override the old enrolment's.
 *
 * @example
 * ```ts
 * const r = await server.reissueActivation({ enrolmentId, mode: 'online' });
 * ```
 */
export interface ReissueActivationOptions extends ActivationSettings {
  enrolmentId: string;
}

/**
 * The one argument of `revokeEnrolment`.
 *
 * @example
 * ```ts
 * await server.revokeEnrolment({ enrolmentId, reason: 'lost_phone' });
 * ```
 */
export interface RevokeEnrolmentOptions {
  enrolmentId: string;
  /** A short machine label recorded in the audit log. */
  reason?: string;
}

/**
 * The one argument of `completeActivation`.
 *
 * @example
 * ```ts
 * const r = await server.completeActivation({ request: await req.json(), clientIp: '203.0.113.7' });
 * ```
 */
export interface CompleteActivationOptions {
  /** The parsed JSON body the app posted; never trusted. */
  request: unknown;
  /** The client address, for the per-IP failure budget. */
  clientIp?: string;
}

/**
 * What `startActivation` returns. `password`, `text` and `uri` are credentials: give them to
 * the user, never log them.
 *
 * @example
 * ```ts
 * const a: StartedActivation = await server.startActivation({ userId: 'alice' });
 * await mailer.send({ to, html: a.qr.svg, text: `Password: ${a.password}` });
 * ```
 */
export interface StartedActivation {
  enrolmentId: string;
  userId: string;
  mode: ActivationMode;
  /** What the QR encodes: the `CMFA:` envelope text, or the otpauth URI. */
  text: string;
  /** The envelope password, or `null` (otpauth). */
  password: string | null;
  /** The otpauth URI, or `null` (envelopes). */
  uri: string | null;
  qr: { svg: string; png: Uint8Array };
  /** ms; the server enforces it. */
  expiresAt: number;
  /** otpauth warning codes (e.g. `GA_DIGITS`); empty for envelopes. */
  warnings: string[];
}

/**
 * The outcome of `completeActivation`: the response to send, or a refusal with its stable code.
 *
 * @example
 * ```ts
 * const r: CompleteActivationResult = await server.completeActivation({ request: body, clientIp });
 * return r.ok ? Response.json(r.response) : Response.json({ error: { reason: r.reason } }, { status: 400 });
 * ```
 */
export type CompleteActivationResult =
  | { ok: true; enrolmentId: string; userId: string; response: RedemptionResponse; retried: boolean }
  | {
      ok: false;
      reason: 'malformed' | 'invalid' | 'stale' | 'expired' | 'already_redeemed' | 'revoked' | 'throttled';
      /** ms until the client may try again (`throttled`), else `null`. */
      retryAfterMs: number | null;
    };

/**
 * An enrolment without any secret.
 *
 * @example
 * ```ts
 * const e: EnrolmentView | null = await server.getEnrolment(id);
 * if (e?.keyId !== kek.current) await server.rotateKeys({ enrolmentId: id });
 * ```
 */
export interface EnrolmentView {
  id: string;
  userId: string;
  status: 'pending' | 'active' | 'revoked';
  /** A pending enrolment past its lifetime: it can no longer be activated. */
  expired: boolean;
  mode: ActivationMode;
  issuer: string;
  account: string;
  otp: EnrolmentOtp;
  /** The redeemed device (online mode), or `null`. */
  device: { platform: 'ios' | 'android' | 'web' | 'other'; keyThumbprint: string; push: boolean } | null;
  createdAt: number;
  expiresAt: number;
  activatedAt: number | null;
  revokedAt: number | null;
  /** The KEK id sealing the secret; `null` once revoked (the secret is wiped). */
  keyId: string | null;
}

/**
 * Result of `reissueActivation`.
 *
 * @example
 * ```ts
 * const r: ReissueActivationResult = await server.reissueActivation({ enrolmentId: oldId });
 * if (r.ok) send(r.activation);
 * ```
 */
export type ReissueActivationResult =
  | { ok: true; revoked: boolean; activation: StartedActivation }
  | { ok: false; reason: 'not_found' };

/**
 * Result of `revokeEnrolment`.
 *
 * @example
 * ```ts
 * const r: RevokeEnrolmentResult = await server.revokeEnrolment({ enrolmentId: id, reason: 'lost phone' });
 * ```
 */
export type RevokeEnrolmentResult = { ok: true } | { ok: false; reason: 'not_found' | 'already_revoked' };

/**
 * Result of `unlockOtp`: `not_found` when no enrolment has this id (nothing is changed or
 * audited; the server's internal guards are never addressable through it).
 *
 * @example
 * ```ts
 * const r: UnlockOtpResult = await server.unlockOtp(enrolmentId);
 * if (!r.ok) console.log(r.reason); // 'not_found'
 * ```
 */
export type UnlockOtpResult = { ok: true } | { ok: false; reason: 'not_found' };

/**
 * Input of `verifyOtp`: one enrolment, or every active enrolment of a user.
 *
 * @example
 * ```ts
 * const input: VerifyOtpInput = { userId: 'alice', code: form.code };
 * ```
 */
export type VerifyOtpInput = ({ enrolmentId: string; code: string } | { userId: string; code: string }) & {
  /**
   * The end user's address, as your application knows it (its socket, or a header set by your
   * own proxy), for the per-address rate limit (`policy.rateLimits.verify.perIp`); an IPv6
   * address counts by its /64. Not counted when absent or longer than 256 characters.
   */
  clientIp?: string;
};

/**
 * The outcome of `verifyOtp` and `resyncHotp`. Never an exception for what a user typed.
 *
 * @example
 * ```ts
 * const r: VerifyOtpResult = await server.verifyOtp({ userId, code });
 * if (r.ok) signIn(); else if (r.reason === 'locked') show(`try again in ${Math.ceil(r.retryAfterMs / 1000)} s`);
 * ```
 */
export type VerifyOtpResult =
  | {
      ok: true;
      enrolmentId: string;
      userId: string;
      method: 'totp' | 'hotp';
      /** TOTP: steps from the server's current step; HOTP: counters past the expected one. */
      delta: number;
      /** The TOTP step or HOTP counter consumed. */
      step: number;
      /** The code activated a pending offline/otpauth enrolment. */
      activated: boolean;
    }
  | {
      ok: false;
      reason: 'invalid';
      detail: 'format' | 'length' | 'mismatch';
      enrolmentId: string;
      /** Consecutive failures so far. */
      failures: number;
      /** ms until the next attempt is accepted, `null` when no delay applies. */
      retryAfterMs: number | null;
    }
  | { ok: false; reason: 'replayed'; enrolmentId: string }
  | { ok: false; reason: 'locked'; enrolmentId: string; retryAfterMs: number }
  | { ok: false; reason: 'not_active'; enrolmentId: string; status: 'pending' | 'revoked' | 'expired' }
  | { ok: false; reason: 'not_found' }
  /**
   * A rate limit of `policy.rateLimits` (docs/server.md section 12.2) refused the request before
   * any code or device was looked at: `scope` says which (`ip` or `user`); retry after
   * `retryAfterMs` (the end of the window). Serve it as HTTP 429 with `Retry-After`.
   */
  | { ok: false; reason: 'rate_limited'; scope: 'ip' | 'user'; retryAfterMs: number };

/**
 * Options of the facade's `createPushChallenge`.
 *
 * @example
 * ```ts
 * const settings: PushChallengeSettings = { numberMatch: true, alert: { body: 'Sign in to Acme VPN?' } };
 * ```
 */
export interface PushChallengeSettings {
  /** `true` for `policy.push.numberMatchDigits` digits, or `{ digits }` (2..6); `false` turns it off. Default: `policy.push.numberMatch` (on). */
  numberMatch?: boolean | { digits: number };
  /** Send to this enrolment; default the user's most recently activated push-capable one. */
  enrolmentId?: string;
  /** Notification text for the APNs/FCM payloads. */
  alert?: PushAlert;
}

/**
 * The one argument of the facade's `createPushChallenge`. (Named apart from `@cloudmfa/push`'s
 * `CreatePushChallengeOptions`, the argument of the lower-level `createPushChallenge` function.)
 *
 * @example
 * ```ts
 * const r = await server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' }, numberMatch: true });
 * ```
 */
export interface ServerPushChallengeOptions extends PushChallengeSettings {
  userId: string;
  /** What the phone shows (service, location, ...). */
  context: PushContext;
  /**
   * The address of the sign-in that asks for the push, for the per-address rate limit
   * (`policy.rateLimits.push.perIp`); an IPv6 address counts by its /64. Not counted when
   * absent or longer than 256 characters.
   */
  clientIp?: string;
}

/**
 * Result of `createPushChallenge`: what to send, and the number for the login page.
 *
 * @example
 * ```ts
 * const r: CreatePushChallengeResult = await server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' }, numberMatch: true });
 * if (r.ok && r.pushToken) await apns.send(r.pushToken, r.apns.json, r.apns.headers);
 * ```
 */
export type CreatePushChallengeResult =
  | {
      ok: true;
      challengeId: string;
      enrolmentId: string;
      /** The challenge JWS. */
      token: string;
      /** Show it on the login page; never send it to the phone. `null` without number matching. */
      number: string | null;
      expiresAt: number;
      /** The device's APNs/FCM token, or `null` (the app polls). */
      pushToken: string | null;
      platform: 'ios' | 'android' | 'web' | 'other';
      apns: ApnsPayloadResult;
      fcm: SizedPayload<FcmPushMessage>;
    }
  | { ok: false; reason: 'no_device' }
  | { ok: false; reason: 'paused'; retryAfterMs: number }
  /** The user already has `policy.push.maxPendingPerUser` pending challenges (push-fatigue cap). */
  | { ok: false; reason: 'too_many_pending'; pending: number }
  /**
   * A rate limit of `policy.rateLimits` (docs/server.md section 12.2) refused the request before
   * any code or device was looked at: `scope` says which (`ip` or `user`); retry after
   * `retryAfterMs` (the end of the window). Serve it as HTTP 429 with `Retry-After`.
   */
  | { ok: false; reason: 'rate_limited'; scope: 'ip' | 'user'; retryAfterMs: number };

/**
 * Result of `submitPushResponse`. `ok: true` means the response took effect (the challenge is
 * final); a wrong number or a missing user verification is a denial that took effect.
 *
 * @example
 * ```ts
 * const r: SubmitPushResponseResult = await server.submitPushResponse(jws);
 * if (r.ok && r.status === 'approved') console.log('approved', r.challengeId);
 * ```
 */
export type SubmitPushResponseResult =
  | {
      ok: true;
      challengeId: string;
      status: 'approved' | 'denied' | 'cancelled';
      suspicious: boolean;
      detail: null | 'wrong_number' | 'user_not_verified';
    }
  | {
      ok: false;
      reason: 'malformed' | 'not_found' | 'not_active' | 'bad_signature' | 'mismatch' | 'replayed' | 'expired' | 'paused' | 'tampered';
      challengeId: string | null;
    };

/**
 * What the login page may know about a challenge (never the number).
 *
 * @example
 * ```ts
 * const s: ChallengeStatusView | null = await server.getChallengeStatus(id);
 * if (s?.status === 'approved') completeSignIn();
 * ```
 */
export interface ChallengeStatusView {
  id: string;
  status: ChallengeStatus;
  expiresAt: number;
  finalizedAt: number | null;
  numberMatch: boolean;
}

/**
 * Result of `updateDevicePushToken` and `unregisterDevice`: the device-signed requests of the
 * app (docs/server.md 7.1). `conflict`: the enrolment kept changing under the update (retry).
 *
 * @example
 * ```ts
 * const r: DeviceRequestResult = await server.unregisterDevice(body.request);
 * if (!r.ok) return Response.json({ code: r.reason }, { status: 403 });
 * ```
 */
export type DeviceRequestResult =
  | { ok: true; enrolmentId: string }
  | { ok: false; reason: 'malformed' | 'not_found' | 'not_active' | 'bad_signature' | 'mismatch' | 'expired' | 'conflict' };

/**
 * Result of `pollPushChallenges`: the enrolment's pending challenge tokens, newest first.
 *
 * @example
 * ```ts
 * const r: PollPushChallengesResult = await server.pollPushChallenges(jws);
 * if (r.ok) return Response.json({ challenges: r.challenges });
 * ```
 */
export type PollPushChallengesResult =
  | { ok: true; enrolmentId: string; challenges: string[] }
  | { ok: false; reason: 'malformed' | 'not_found' | 'not_active' | 'bad_signature' | 'mismatch' | 'expired' };

/**
 * Result of `rotateKeys`: how many enrolments were examined, re-sealed under the current key,
 * already current, or skipped (revoked, or lost a concurrent update: retry later).
 *
 * @example
 * ```ts
 * const r: RotateKeysResult = await server.rotateKeys({ userId: 'alice' });
 * ```
 */
export interface RotateKeysResult {
  examined: number;
  rewrapped: number;
  current: number;
  failed: number;
}

/**
 * Where `rotateAllKeys` is: after `users` users, the last finished at `cursor`; the counts are
 * this run's. Persist `cursor` to resume after a crash.
 *
 * @example
 * ```ts
 * const onProgress = async (p: RotateAllKeysProgress) => { await kv.set('rotation-cursor', p.cursor); };
 * ```
 */
export interface RotateAllKeysProgress extends RotateKeysResult {
  /** Opaque: pass it back as `cursor` to resume after this user. */
  cursor: string;
  /** Users finished so far in this run. */
  users: number;
}

/**
 * Options of `rotateAllKeys`.
 *
 * @example
 * ```ts
 * await server.rotateAllKeys({ userIds: db.userIdsOrdered(), cursor: await kv.get('rotation-cursor'), onProgress });
 * ```
 */
export interface RotateAllKeysOptions {
  /** Your users, in a stable order (the same order when resuming). */
  userIds: Iterable<string> | AsyncIterable<string>;
  /** A `cursor` from a progress report of an earlier run with the same list; `null` or absent: from the start. */
  cursor?: string | null;
  /** Awaited after each user. Throwing stops the job (the error propagates). */
  onProgress?: (progress: RotateAllKeysProgress) => void | Promise<void>;
}

/**
 * What `rotateAllKeys` did in this run. `cursor` is `null` when the list was empty (or fully
 * skipped). `failed` counts lost compare-and-sets: run again until it is 0.
 *
 * @example
 * ```ts
 * const r: RotateAllKeysResult = await server.rotateAllKeys({ userIds });
 * if (r.failed > 0) await server.rotateAllKeys({ userIds });
 * ```
 */
export interface RotateAllKeysResult extends RotateKeysResult {
  cursor: string | null;
  users: number;
}

/**
 * Result of `getKeyStatus`: the current KEK id, and the enrolments asked about with the KEK id
 * sealing each secret (`null` once revoked) and whether it is the current one (`current`: a
 * secret sealed in an older format under the current KEK id is not current yet).
 *
 * @example
 * ```ts
 * const s: KeyStatus = await server.getKeyStatus({ userId: 'alice' });
 * if (s.stale > 0) await server.rotateKeys({ userId: 'alice' });
 * ```
 */
export interface KeyStatus {
  currentKeyId: string;
  enrolments: Array<{ enrolmentId: string; keyId: string | null; current: boolean }>;
  /** How many of `enrolments` are not `current`. */
  stale: number;
}

/**
 * The facade `createMfaServer` returns. Admin operations are plain functions: expose them
 * behind your own authentication. The device-facing ones are also served by
 * `createHttpHandler`.
 *
 * @example
 * ```ts
 * const server: MfaServer = createMfaServer({ store, keys, issuer: 'Acme', origin });
 * const r = await server.verifyOtp({ userId: 'alice', code: '123456' });
 * ```
 */
export interface MfaOrganisationServer {
  /** The organisation these operations serve (`'default'`: the one the options describe). */
  readonly organisationId: string;
  /** The resolved policy. */
  readonly policy: MfaServerPolicy;
  /** Admin: issues an online/offline envelope or an otpauth URI, with its QR; the enrolment is pending until activated. */
  startActivation(options: StartActivationOptions): Promise<StartedActivation>;
  /** Device: the online redemption (single use, lifetime, retries, double-redemption incident). Never throws on `request`. */
  completeActivation(options: CompleteActivationOptions): Promise<CompleteActivationResult>;
  /** Admin: revokes the enrolment (unless revoked) and issues a new activation for the same user. */
  reissueActivation(options: ReissueActivationOptions): Promise<ReissueActivationResult>;
  /** Admin: revokes an enrolment; the store wipes its secret. `reason` is a short machine label. */
  revokeEnrolment(options: RevokeEnrolmentOptions): Promise<RevokeEnrolmentResult>;
  /** An enrolment without any secret, or `null`. */
  getEnrolment(enrolmentId: string): Promise<EnrolmentView | null>;
  /** A user's enrolments without any secret, oldest first. */
  listEnrolments(userId: string): Promise<EnrolmentView[]>;
  /** Verifies a code (replay protection, count-first throttling, drift). Never throws on what the user typed. */
  verifyOtp(input: VerifyOtpInput): Promise<VerifyOtpResult>;
  /** Admin: HOTP resynchronisation with 2..4 consecutive codes (RFC 4226 7.4). */
  resyncHotp(input: { enrolmentId: string; codes: readonly string[] }): Promise<VerifyOtpResult>;
  /** Admin: clears an OTP lockout of a real enrolment; keeps the replay state. */
  unlockOtp(enrolmentId: string): Promise<UnlockOtpResult>;
  /** Admin: creates and stores a signed push challenge; returns the APNs/FCM payloads and the number for the login page. */
  createPushChallenge(options: ServerPushChallengeOptions): Promise<CreatePushChallengeResult>;
  /** Device: applies a signed push response atomically (one winner across servers). Never throws on `response`. */
  submitPushResponse(response: unknown): Promise<SubmitPushResponseResult>;
  /** Login page: the challenge status, or `null`. Never throws on `challengeId`. */
  getChallengeStatus(challengeId: unknown): Promise<ChallengeStatusView | null>;
  /** Device: verifies a signed poll request and lists the pending challenge tokens. Never throws on `request`. */
  pollPushChallenges(request: unknown): Promise<PollPushChallengesResult>;
  /** Device: replaces the enrolment's push token (a device-signed request). Never throws on `request`. */
  updateDevicePushToken(request: unknown): Promise<DeviceRequestResult>;
  /** Device: the app removed the identity; revokes the enrolment (audited, reason `device_removed`). Never throws on `request`. */
  unregisterDevice(request: unknown): Promise<DeviceRequestResult>;
  /** The server's clock (ms), as the device routes tell it to phones for clock correction. */
  serverTime(): number;
  /** Admin: lifts a push pause set by a Suspicious answer. */
  resumePush(userId: string): Promise<void>;
  /** Admin: re-seals one enrolment, or all of a user's, under the current KEK. */
  rotateKeys(target: { enrolmentId: string } | { userId: string }): Promise<RotateKeysResult>;
  /** Admin: re-wraps every enrolment of a list of users, resumably (docs/server.md section 2, Rotation). */
  rotateAllKeys(options: RotateAllKeysOptions): Promise<RotateAllKeysResult>;
  /** Admin: reads the audit log (newest first, paginated). */
  queryAudit(query?: AuditQuery): Promise<AuditPage>;
  /**
   * Admin: where key rotation stands: the current KEK id and, for one enrolment or a user's
   * (at most 1000), the KEK id of each secret and whether it is under the current one. Without
   * a target, the current KEK id only. Reads only; `rotateKeys` brings stale secrets over.
   */
  getKeyStatus(target?: { enrolmentId: string } | { userId: string }): Promise<KeyStatus>;
  /**
   * The same operations acting for `actor` (an administrator, a service; 1..256 characters, never
   * a credential): every audit entry they write carries `detail.actor`. The admin HTTP routes
   * call it with the principal their `authorize` hook returned.
   */
  withActor(actor: string): MfaOrganisationServer;
  /**
   * Operations: moves audit entries that an accepted code left in the guard store's outbox
   * (because the audit log was unreachable) into the audit log, exactly once each, and hands
   * them to `events`. Run it at start and every few seconds (docs/server.md section 4.1).
   * Waits first for the server's background audit moves in flight (`auditMove`).
   * Store faults reject with `ERR_STORAGE_*`; what was moved stays moved.
   */
  drainAuditOutbox(options?: { limit?: number }): Promise<DrainAuditOutboxResult>;
  /**
   * Operations: delivers audit and risk events to the `webhooks` endpoints, up to `limit`
   * (default 100, 1..1000) per endpoint, with retries on the schedule and Standard Webhooks
   * signatures (docs/server.md section 13). Run it every few seconds and at start, beside
   * `drainAuditOutbox`. Without `webhooks` it does nothing.
   */
  deliverWebhooks(options?: { limit?: number }): Promise<DeliverWebhooksResult>;
  /** Operations: each endpoint's delivery state: position, failing attempts, given-up events (docs/server.md section 13). */
  webhookStatus(): Promise<WebhookEndpointStatus[]>;
}

/**
 * Options of {@link MfaServer.createOrganisation}.
 *
 * @example
 * ```ts
 * const o: CreateOrganisationOptions = { organisationId: 'acme', issuer: 'ACME Corp', origin: 'https://acme.mfa.example', policy: { otp: { digits: 8 } } };
 * ```
 */
export interface CreateOrganisationOptions {
  /** 1..63 of `[a-z0-9-]`, starting and ending with a letter or digit; not `'default'`. */
  organisationId: string;
  /** Display name in envelopes and otpauth URIs (the rule of `MfaServerOptions.issuer`). */
  issuer: string;
  /** Where this organisation's apps redeem (the rule of `MfaServerOptions.origin`). */
  origin?: string;
  /** The organisation's policy: any subset, defaults filled as for `createMfaServer`. */
  policy?: MfaServerPolicyInput;
}

/**
 * Options of {@link MfaServer.updateOrganisation}: each given field replaces the stored one
 * (`policy` replaces the whole policy input; `origin: null` removes the origin).
 *
 * @example
 * ```ts
 * const o: UpdateOrganisationOptions = { organisationId: 'acme', policy: { throttle: { lockoutFailures: 5 } }, expectedVersion: 2 };
 * ```
 */
export interface UpdateOrganisationOptions {
  organisationId: string;
  issuer?: string;
  origin?: string | null;
  policy?: MfaServerPolicyInput;
  /** Refuse (`ERR_ORGANISATION_CONFLICT`) unless the stored record has this version. */
  expectedVersion?: number;
}

/**
 * An organisation as the facade returns it: the stored record (no secret) and its resolved policy.
 *
 * @example
 * ```ts
 * const o: OrganisationView = await server.createOrganisation({ organisationId: 'acme', issuer: 'ACME' });
 * o.policy.otp.digits; // 6
 * ```
 */
export interface OrganisationView {
  id: string;
  issuer: string;
  origin: string | null;
  /** The resolved policy (every field present). */
  policy: MfaServerPolicy;
  /** The policy as given (what `updateOrganisation` replaces). */
  policyInput: MfaServerPolicyInput;
  createdAt: number;
  updatedAt: number;
  version: number;
}

/**
 * One page of {@link MfaServer.listOrganisations}; `cursor` is `null` on the last page.
 *
 * @example
 * ```ts
 * const page: OrganisationList = await server.listOrganisations({ limit: 50 });
 * ```
 */
export interface OrganisationList {
  organisations: OrganisationView[];
  cursor: string | null;
}

/**
 * The facade: the default organisation's operations (the options' own issuer, origin, policy
 * and keys), the other organisations' through {@link MfaServer.forOrganisation}, and the
 * organisation records (docs/server.md, "Organisations").
 *
 * @example
 * ```ts
 * const server: MfaServer = createMfaServer({ store, keys, issuer: 'Acme', origin, organisationKeys: (id) => keysOf(id) });
 * await server.createOrganisation({ organisationId: 'globex', issuer: 'Globex' });
 * const globex = await server.forOrganisation('globex');
 * const r = await globex.verifyOtp({ userId: 'alice', code: '123456' }); // Globex's alice only
 * ```
 */
export interface MfaServer extends MfaOrganisationServer {
  /**
   * The operations of one organisation, in its scope: its stores, policy, issuer, origin and
   * keys. Reads the organisation record on every call, so a policy change applies from the
   * next call on, on every server. Unknown: `ERR_ORGANISATION_NOT_FOUND`; `'default'` gives
   * this server's own operations.
   */
  forOrganisation(organisationId: string): Promise<MfaOrganisationServer>;
  /** Admin: stores a new organisation (audited `organisation.created` in its log). Existing id: `ERR_ORGANISATION_CONFLICT`. */
  createOrganisation(options: CreateOrganisationOptions): Promise<OrganisationView>;
  /**
   * Admin: changes an organisation (audited `organisation.updated` in its log with the changed
   * fields and policy paths, old and new). Applies to new enrolments and to the checks the policy
   * governs; an existing enrolment keeps its own digits, period and algorithm.
   */
  updateOrganisation(options: UpdateOrganisationOptions): Promise<OrganisationView>;
  /** Admin: one stored organisation, or `null`. */
  getOrganisation(options: { organisationId: string }): Promise<OrganisationView | null>;
  /** Admin: the stored organisations by id, paged (the default organisation is not stored). */
  listOrganisations(options?: { limit?: number; cursor?: string }): Promise<OrganisationList>;
  /**
   * The whole facade acting for `actor`: its operations, `forOrganisation`'s and the
   * organisation records' audit entries carry `detail.actor`.
   */
  withActor(actor: string): MfaServer;
  /**
   * Operations: resolves when every audit move this server started in the background
   * (`auditMove: 'background'`) before the call has finished, for every organisation: moved into
   * the audit log, or failed and left in the outbox for `drainAuditOutbox`. Never rejects; with
   * nothing in flight (or `'inline'`) it resolves at once. Call it before shutting down, before
   * the final drain.
   *
   * @example
   * ```ts
   * await server.flushAuditMoves();
   * while ((await server.drainAuditOutbox({ limit: 500 })).more);
   * ```
   */
  flushAuditMoves(): Promise<void>;
}

/**
 * Result of {@link MfaOrganisationServer.drainAuditOutbox}.
 *
 * @example
 * ```ts
 * const { moved, more } = await server.drainAuditOutbox({ limit: 500 });
 * if (more) setImmediate(drainAgain);
 * ```
 */
export interface DrainAuditOutboxResult {
  /** Entries written to the audit log (or found there already) and removed from the outbox. */
  moved: number;
  /** True when the outbox held more than `limit` entries: call again. */
  more: boolean;
}
