import { type Clock, type CryptoProvider, pureJsCryptoProvider, systemClock } from '@cloudmfa/core';
import { isEnrolmentId, parseClaims, pollClaimsSchema } from './_claims.js';
import { decodeJsonPayload, parseJws, verifyJwsSignature } from './_jws.js';
import { assertPublicKeyBytes, thumbprintOf } from './_keys.js';
import { assertClock, assertCrypto, assertOptionsObject, assertSkew, misuse, readClock } from './_options.js';
import { PUSH_LIMITS, PUSH_TYP } from './constants.js';

/**
 * Options of {@link verifyPushPollRequest}.
 *
 * @example
 * ```ts
 * const options: VerifyPushPollRequestOptions = { request: body, devicePublicKey: enrolment.devicePublicKey, expectedEnrolmentId: enrolment.id };
 * ```
 */
export interface VerifyPushPollRequestOptions {
  /** The poll request token as received. */
  request: string;
  /** The enrolment's device public key: uncompressed P-256, 65 bytes. */
  devicePublicKey: Uint8Array;
  /** The enrolment the key belongs to (find it with `peekPushMessage`). */
  expectedEnrolmentId: string;
  /** Clock (ms). Default `systemClock`. */
  now?: Clock;
  /** Accepted distance between the request time and `now`, ms, at most 300,000. Default 60,000. */
  maxSkewMs?: number;
  /** Default pure JS; `webCryptoProvider()` on servers. */
  crypto?: CryptoProvider;
}

/**
 * Why a poll request was refused.
 *
 * @example
 * ```ts
 * if (!result.ok) return json({ code: result.reason }, 401);
 * ```
 */
export type PushPollFailure = 'malformed' | 'bad_signature' | 'mismatch' | 'expired';

/**
 * The result of {@link verifyPushPollRequest}.
 *
 * @example
 * ```ts
 * const result: VerifyPushPollRequestResult = await verifyPushPollRequest(options);
 * if (result.ok) return json({ challenges: await pendingTokens(result.enrolmentId) });
 * ```
 */
export type VerifyPushPollRequestResult =
  | {
      readonly ok: true;
      readonly enrolmentId: string;
      /** 128-bit request id: remember it for 2 x maxSkewMs if you want strict single use. */
      readonly requestId: string;
      /** ms since the epoch. */
      readonly issuedAt: number;
    }
  | { readonly ok: false; readonly reason: PushPollFailure };

/**
 * Server side: verifies a device's poll request (device signature, enrolment, time within
 * +-60 s). On `ok`, answer with the enrolment's pending challenge tokens. Never throws on
 * the token; misuse throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const peek = peekPushMessage(body);
 * if (!peek.ok || peek.kind !== 'poll') return badRequest();
 * const enrolment = await store.enrolments.get(peek.enrolmentId);
 * const result = await verifyPushPollRequest({
 *   request: body,
 *   devicePublicKey: enrolment.devicePublicKey,
 *   expectedEnrolmentId: enrolment.id,
 * });
 * ```
 */
export async function verifyPushPollRequest(options: VerifyPushPollRequestOptions): Promise<VerifyPushPollRequestResult> {
  assertOptionsObject(options, 'options');
  const {
    request,
    devicePublicKey,
    expectedEnrolmentId,
    now = systemClock,
    maxSkewMs = PUSH_LIMITS.defaultServerSkewMs,
    crypto = pureJsCryptoProvider,
  } = options;
  assertPublicKeyBytes(devicePublicKey, 'devicePublicKey', 'ES256');
  if (!isEnrolmentId(expectedEnrolmentId)) misuse('"expectedEnrolmentId" expected 1-128 characters of [A-Za-z0-9._:-]');
  assertClock(now);
  assertSkew(maxSkewMs, 'maxSkewMs', PUSH_LIMITS.maxSkewMs);
  assertCrypto(crypto);

  const parsed = parseJws(request, PUSH_LIMITS.pollLength, PUSH_TYP.poll, ['ES256']);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const key = { algorithm: 'ES256', publicKey: devicePublicKey } as const;
  if (!(await verifyJwsSignature(parsed, key, thumbprintOf(key), crypto))) return { ok: false, reason: 'bad_signature' };
  const claims = parseClaims(pollClaimsSchema, decodeJsonPayload(parsed));
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.sub !== expectedEnrolmentId) return { ok: false, reason: 'mismatch' };
  const issuedAt = claims.iat * 1000;
  if (Math.abs(readClock(now) - issuedAt) > maxSkewMs) return { ok: false, reason: 'expired' };
  return { ok: true, enrolmentId: claims.sub, requestId: claims.jti, issuedAt };
}
