import { type Clock, type CryptoProvider, pureJsCryptoProvider, systemClock } from '@cloudmfa/core';
import { challengeClaimsSchema, isEnrolmentId, parseClaims } from './_claims.js';
import { claimToContext } from './_context.js';
import { decodeJsonPayload, parseJws, tokenHash, verifyJwsSignature } from './_jws.js';
import { assertPushPublicKey, thumbprintOf } from './_keys.js';
import { assertClock, assertCrypto, assertOptionsObject, assertSkew, misuse, readClock } from './_options.js';
import { markVerified } from './_verified.js';
import { PUSH_LIMITS, PUSH_TYP } from './constants.js';
import type { PushContext, PushPublicKey } from './types.js';

/**
 * Options of {@link verifyPushChallenge}.
 *
 * @example
 * ```ts
 * const options: VerifyPushChallengeOptions = { challenge: token, serverKey: identity.pushKey, expectedEnrolmentId: identity.enrolmentId };
 * ```
 */
export interface VerifyPushChallengeOptions {
  /** The challenge token as received (push payload or poll answer). */
  challenge: string;
  /** The server push key pinned at activation (`ES256` or `EdDSA`): it alone decides the algorithm. */
  serverKey: PushPublicKey;
  /** The enrolment this identity has on that server. */
  expectedEnrolmentId: string;
  /** Clock (ms). Default `systemClock`. */
  now?: Clock;
  /** Allowance for the phone's clock, ms, at most 300,000. Default 30,000. */
  clockSkewMs?: number;
  /** Default `pureJsCryptoProvider` (works in Hermes). */
  crypto?: CryptoProvider;
}

/**
 * A challenge that passed {@link verifyPushChallenge}: what the UI must show.
 *
 * @example
 * ```ts
 * if (result.ok) render(result.challenge.context, result.challenge.expiresAt - Date.now());
 * ```
 */
export interface VerifiedPushChallenge {
  /** The exact token, as the response must hash it. */
  readonly token: string;
  readonly id: string;
  readonly enrolmentId: string;
  /** ms since the epoch. */
  readonly issuedAt: number;
  /** ms since the epoch: show a countdown; the server refuses answers after it. */
  readonly expiresAt: number;
  /** Ask the user for the number shown on the login page before a Confirm. */
  readonly numberMatch: boolean;
  readonly context: PushContext;
  /** base64url SHA-256 of `token`. */
  readonly hash: string;
}

/**
 * Why a challenge was refused.
 *
 * @example
 * ```ts
 * if (!result.ok && result.reason === 'expired') toast('This sign-in request has expired.');
 * ```
 */
export type PushChallengeFailure = 'malformed' | 'bad_signature' | 'mismatch' | 'expired' | 'not_yet_valid';

/**
 * The result of {@link verifyPushChallenge}.
 *
 * @example
 * ```ts
 * const result: VerifyPushChallengeResult = await verifyPushChallenge(options);
 * ```
 */
export type VerifyPushChallengeResult =
  | { readonly ok: true; readonly challenge: VerifiedPushChallenge }
  | { readonly ok: false; readonly reason: PushChallengeFailure };

const fail = (reason: PushChallengeFailure): VerifyPushChallengeResult => ({ ok: false, reason });

/**
 * App side: verifies a push challenge against the pinned server key, its times (with a small
 * skew allowance) and its shape, and returns what the UI must show. Never throws on the token:
 * `malformed`, `bad_signature`, `mismatch` (another enrolment), `expired`, `not_yet_valid`.
 * Throws `ERR_INVALID_ARGUMENT` only for misuse (no key, a bad option).
 *
 * Only a challenge returned here can be answered with `createPushResponse`.
 *
 * @example
 * ```ts
 * const result = await verifyPushChallenge({
 *   challenge: notification.data.cloudmfa_jws,
 *   serverKey: identity.pushKey,
 *   expectedEnrolmentId: identity.enrolmentId,
 * });
 * if (result.ok) showApproval(result.challenge.context, result.challenge.numberMatch);
 * ```
 */
export async function verifyPushChallenge(options: VerifyPushChallengeOptions): Promise<VerifyPushChallengeResult> {
  assertOptionsObject(options, 'options');
  const {
    challenge,
    serverKey,
    expectedEnrolmentId,
    now = systemClock,
    clockSkewMs = PUSH_LIMITS.defaultChallengeSkewMs,
    crypto = pureJsCryptoProvider,
  } = options;
  assertPushPublicKey(serverKey, 'serverKey', ['ES256', 'EdDSA']);
  if (!isEnrolmentId(expectedEnrolmentId)) misuse('"expectedEnrolmentId" expected 1-128 characters of [A-Za-z0-9._:-]');
  assertClock(now);
  assertSkew(clockSkewMs, 'clockSkewMs', PUSH_LIMITS.maxSkewMs);
  assertCrypto(crypto);

  const parsed = parseJws(challenge, PUSH_LIMITS.challengeLength, PUSH_TYP.challenge, ['ES256', 'EdDSA']);
  if (!parsed) return fail('malformed');
  if (!(await verifyJwsSignature(parsed, serverKey, thumbprintOf(serverKey), crypto))) return fail('bad_signature');
  const claims = parseClaims(challengeClaimsSchema, decodeJsonPayload(parsed));
  if (!claims) return fail('malformed');
  if (claims.sub !== expectedEnrolmentId) return fail('mismatch');
  const t = readClock(now);
  if (t > claims.exp * 1000 + clockSkewMs) return fail('expired');
  if (claims.iat * 1000 > t + clockSkewMs) return fail('not_yet_valid');

  const token = challenge as string;
  const verified: VerifiedPushChallenge = Object.freeze({
    token,
    id: claims.jti,
    enrolmentId: claims.sub,
    issuedAt: claims.iat * 1000,
    expiresAt: claims.exp * 1000,
    numberMatch: claims.nm,
    context: claimToContext(claims.ctx),
    hash: tokenHash(token),
  });
  markVerified(verified);
  return { ok: true, challenge: verified };
}
