import { type Clock, CloudMfaError, constantTimeEqual, type CryptoProvider, decodeBase64Url, encodeBase64Url, pureJsCryptoProvider, systemClock } from '@cloudmfa/core';
import { DEFAULT_REDEMPTION_SKEW_SECONDS } from './internal/constants.js';
import { onlinePayloadSchema, redemptionRequestSchema } from './internal/schemas.js';
import { activationKeys, buildTranscript, isP256PublicKey } from './internal/transcript.js';
import { parseArgument, readClock } from './internal/validate.js';
import type { DevicePlatform, OnlineActivationPayload, RedemptionRequest } from './types.js';

/** Why a redemption request was refused. See docs/protocol/activation.md section 5.4. */
export type RedemptionFailureReason =
  | 'malformed'
  | 'unsupported-version'
  | 'activation-mismatch'
  | 'expired'
  | 'stale'
  | 'bad-mac'
  | 'bad-signature';

/** A request that passed every check. Times in seconds are as the device sent them. */
export interface VerifiedRedemption {
  ok: true;
  activationId: string;
  devicePublicKey: Uint8Array;
  platform: DevicePlatform;
  pushToken: string | null;
  /** Unix seconds, the device's clock. */
  createdAt: number;
  /** base64url SHA-256 of the transcript: store it to recognise a retry (section 5.6, rule 5). */
  transcriptHash: string;
  request: RedemptionRequest;
}

/** The outcome of {@link verifyRedemption}. */
export type RedemptionVerification = VerifiedRedemption | { ok: false; reason: RedemptionFailureReason };

/** Options of {@link verifyRedemption}. */
export interface VerifyRedemptionOptions {
  /** The request body as received (parsed JSON); validated here. */
  request: unknown;
  /** The server's own stored payload for this activation id (never the request's claims). */
  activation: OnlineActivationPayload;
  /** The stored expiry (ms), as `sealEnvelope` returned it. No skew: the server clock decides. */
  expiresAt: number;
  now?: Clock;
  /** How far the device clock may be from the server's, in seconds. Default 600. */
  maxClockSkewSeconds?: number;
  /** `webCryptoProvider()` on servers for a fast P-256 verify. */
  crypto?: CryptoProvider;
}

/**
 * Server side, pure: checks a redemption request against the stored activation. Returns a
 * typed result and never throws on request content; misuse (a bad `activation` record, a
 * missing `expiresAt`) throws `ERR_INVALID_ARGUMENT`. The MAC is checked before the
 * signature, so only a holder of the activation secret can make the server verify one.
 *
 * It does **not** enforce single use: the server must consume the activation atomically and
 * follow the storage rules in docs/protocol/activation.md section 5.6.
 *
 * @example
 * ```ts
 * const record = await store.getActivation(body.activationId);
 * const result = await verifyRedemption({ request: body, activation: record.payload, expiresAt: record.expiresAt, crypto: cryptoProvider });
 * if (!result.ok) return reject(result.reason);
 * if (!(await store.consumeActivation(record.id, result))) return reportRace(result);
 * const response = await createRedemptionResponse({ verified: result, activation: record.payload, seed, pushKey, enrolmentId, account: record.account });
 * ```
 */
export async function verifyRedemption(options: VerifyRedemptionOptions): Promise<RedemptionVerification> {
  const { now = systemClock, maxClockSkewSeconds = DEFAULT_REDEMPTION_SKEW_SECONDS, crypto = pureJsCryptoProvider } = options;
  const activation = parseArgument<OnlineActivationPayload>(onlinePayloadSchema, options.activation, 'activation');
  if (typeof options.expiresAt !== 'number' || !Number.isFinite(options.expiresAt)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"expiresAt" expected a time in milliseconds');
  }
  if (typeof maxClockSkewSeconds !== 'number' || !(maxClockSkewSeconds >= 0)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"maxClockSkewSeconds" expected a non-negative number');
  }
  const nowMs = readClock(now);

  const parsed = redemptionRequestSchema.safeParse(options.request);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const request = parsed.data as RedemptionRequest;
  if (request.version !== 1) return { ok: false, reason: 'unsupported-version' };
  if (!constantTimeEqual(decodeBase64Url(request.activationId), decodeBase64Url(activation.activationId))) {
    return { ok: false, reason: 'activation-mismatch' };
  }
  if (nowMs > options.expiresAt) return { ok: false, reason: 'expired' };
  if (Math.abs(nowMs / 1000 - request.createdAt) > maxClockSkewSeconds) return { ok: false, reason: 'stale' };

  const devicePublicKey = decodeBase64Url(request.devicePublicKey);
  const ephemeralPublicKey = decodeBase64Url(request.ephemeralPublicKey);
  if (!isP256PublicKey(devicePublicKey) || !isP256PublicKey(ephemeralPublicKey)) return { ok: false, reason: 'malformed' };

  const transcript = buildTranscript(activation, {
    devicePublicKey,
    ephemeralPublicKey,
    platform: request.platform,
    pushToken: request.pushToken,
    createdAt: request.createdAt,
  });
  const { macKey, bindKey } = activationKeys(crypto, activation);
  bindKey.fill(0);
  const expectedMac = crypto.hmac('SHA256', macKey, transcript);
  macKey.fill(0);
  if (!constantTimeEqual(expectedMac, decodeBase64Url(request.mac))) return { ok: false, reason: 'bad-mac' };
  if (!(await crypto.p256Verify(devicePublicKey, transcript, decodeBase64Url(request.signature)))) {
    return { ok: false, reason: 'bad-signature' };
  }
  return {
    ok: true,
    activationId: request.activationId,
    devicePublicKey,
    platform: request.platform,
    pushToken: request.pushToken,
    createdAt: request.createdAt,
    transcriptHash: encodeBase64Url(crypto.hash('SHA256', transcript)),
    request,
  };
}
