import { type Clock, constantTimeEqualString, type CryptoProvider, pureJsCryptoProvider, systemClock } from '@cloudmfa/core';
import { isEnrolmentId, isTypedNumber, parseClaims, responseClaimsSchema } from './_claims.js';
import { decodeJsonPayload, parseJws, verifyJwsSignature } from './_jws.js';
import { assertPublicKeyBytes, thumbprintOf } from './_keys.js';
import { assertClock, assertCrypto, assertOptionsObject, assertSkew, misuse, readClock } from './_options.js';
import { PUSH_LIMITS, PUSH_TYP } from './constants.js';
import { isFinalChallengeState, type PushChallengeEvent } from './nextChallengeState.js';
import type { PushChallengeRecord, PushDecision } from './types.js';

/**
 * Options of {@link verifyPushResponse}.
 *
 * @example
 * ```ts
 * const options: VerifyPushResponseOptions = { response: body, expectedChallenge: record, devicePublicKey: enrolment.devicePublicKey, crypto: webCryptoProvider() };
 * ```
 */
export interface VerifyPushResponseOptions {
  /** The response token as the device sent it. */
  response: string;
  /** The stored record of the challenge it answers (find it with `peekPushMessage`). */
  expectedChallenge: PushChallengeRecord;
  /** The enrolment's device public key: uncompressed P-256, 65 bytes. */
  devicePublicKey: Uint8Array;
  /** Clock (ms). Default `systemClock`. */
  now?: Clock;
  /** Allowance for the device clock on the response time, ms, at most 300,000. Default 60,000. */
  maxSkewMs?: number;
  /** Policy: a Confirm must say the user was verified (PIN or biometrics). Default false. */
  requireUserVerification?: boolean;
  /** Use `webCryptoProvider()` on servers (about 20x faster P-256 verification). Default pure JS. */
  crypto?: CryptoProvider;
}

/**
 * Why a response was refused.
 *
 * @example
 * ```ts
 * if (!result.ok && result.reason === 'wrong_number') notifyUser('The number did not match.');
 * ```
 */
export type PushResponseFailure =
  | 'malformed'
  | 'bad_signature'
  | 'mismatch'
  | 'replayed'
  | 'expired'
  | 'wrong_number'
  | 'user_not_verified';

interface Answered {
  readonly ok: true;
  readonly challengeId: string;
  readonly decision: PushDecision;
  readonly userVerified: boolean;
  /** The device's response time, ms. */
  readonly respondedAt: number;
}

/**
 * The result of {@link verifyPushResponse}. `event` is what to apply to the challenge with
 * `nextChallengeState` and an atomic storage transition; `null` leaves it pending.
 *
 * @example
 * ```ts
 * const result: VerifyPushResponseResult = await verifyPushResponse(options);
 * if (result.ok && result.outcome === 'denied') raiseRiskEvent(record); // suspicious: true
 * ```
 */
export type VerifyPushResponseResult =
  | (Answered & { readonly outcome: 'approved'; readonly suspicious: false; readonly event: 'approve' })
  | (Answered & { readonly outcome: 'denied'; readonly suspicious: true; readonly event: 'suspicious' })
  | (Answered & { readonly outcome: 'cancelled'; readonly suspicious: false; readonly event: 'cancel' })
  | {
      readonly ok: false;
      readonly reason: PushResponseFailure;
      readonly event: PushChallengeEvent | null;
      /** The challenge id, once the response is known to answer `expectedChallenge`. */
      readonly challengeId: string | null;
    };

function assertRecord(record: unknown): asserts record is PushChallengeRecord {
  const r = record as Partial<PushChallengeRecord> | null;
  if (typeof r !== 'object' || r === null) misuse('"expectedChallenge" expected the stored PushChallengeRecord');
  if (typeof r.id !== 'string' || typeof r.hash !== 'string' || !isEnrolmentId(r.enrolmentId)) {
    misuse('"expectedChallenge" is missing its id, hash or enrolmentId');
  }
  if (!Number.isSafeInteger(r.issuedAt) || !Number.isSafeInteger(r.expiresAt)) {
    misuse('"expectedChallenge.issuedAt/expiresAt" expected times in ms');
  }
  if (typeof r.numberMatch !== 'boolean') misuse('"expectedChallenge.numberMatch" expected a boolean');
  if (r.numberMatch ? !isTypedNumber(r.number) : r.number !== null && r.number !== undefined) {
    misuse('"expectedChallenge.number" must be the stored number exactly when numberMatch is on');
  }
  isFinalChallengeState(r.state as PushChallengeRecord['state']); // throws for an unknown state
}

/**
 * Server side: verifies a push response with the enrolment's device key against the stored
 * challenge: signature, challenge id and exact-token hash, state (single use), expiry and
 * freshness, the decision, and the number (constant time, one attempt). Never throws on the
 * token; misuse (a bad record or key) throws `ERR_INVALID_ARGUMENT`.
 *
 * Results: `approved`, `denied` with `suspicious: true`, `cancelled`, or a failure `reason`.
 * Apply `result.event` (when not null) through an atomic "if still pending" transition: that is
 * what makes a replayed or raced response lose. Audit per `PUSH_CHALLENGE_TRANSITIONS`:
 * Confirm and Suspicious are audited, Suspicious raises a risk event, Cancel is never audited.
 *
 * @example
 * ```ts
 * const result = await verifyPushResponse({
 *   response: body,
 *   expectedChallenge: record,
 *   devicePublicKey: enrolment.devicePublicKey,
 *   crypto: webCryptoProvider(),
 * });
 * if (result.event) await applyTransition(record, result.event);
 * ```
 */
export async function verifyPushResponse(options: VerifyPushResponseOptions): Promise<VerifyPushResponseResult> {
  assertOptionsObject(options, 'options');
  const {
    response,
    expectedChallenge: record,
    devicePublicKey,
    now = systemClock,
    maxSkewMs = PUSH_LIMITS.defaultServerSkewMs,
    requireUserVerification = false,
    crypto = pureJsCryptoProvider,
  } = options;
  assertRecord(record);
  assertPublicKeyBytes(devicePublicKey, 'devicePublicKey', 'ES256');
  assertClock(now);
  assertSkew(maxSkewMs, 'maxSkewMs', PUSH_LIMITS.maxSkewMs);
  if (typeof requireUserVerification !== 'boolean') misuse('"requireUserVerification" expected a boolean');
  assertCrypto(crypto);

  const fail = (reason: PushResponseFailure, event: PushChallengeEvent | null = null, challengeId: string | null = null): VerifyPushResponseResult => ({
    ok: false,
    reason,
    event,
    challengeId,
  });

  const parsed = parseJws(response, PUSH_LIMITS.responseLength, PUSH_TYP.response, ['ES256']);
  if (!parsed) return fail('malformed');
  const key = { algorithm: 'ES256', publicKey: devicePublicKey } as const;
  if (!(await verifyJwsSignature(parsed, key, thumbprintOf(key), crypto))) return fail('bad_signature');
  const claims = parseClaims(responseClaimsSchema, decodeJsonPayload(parsed));
  if (!claims) return fail('malformed');

  // Bound to this exact challenge? (The id is public; the hash comparison is constant time anyway.)
  if (claims.cid !== record.id || !constantTimeEqualString(claims.chash, record.hash)) return fail('mismatch');
  const id = record.id;
  if (record.state === 'expired') return fail('expired', null, id);
  if (record.state !== 'pending') return fail('replayed', null, id);

  const t = readClock(now);
  if (t > record.expiresAt) return fail('expired', 'expire', id);
  const respondedAt = claims.iat * 1000;
  if (respondedAt < record.issuedAt - maxSkewMs || respondedAt > t + maxSkewMs) return fail('expired', null, id);

  const wantsNumber = claims.dec === 'confirm' && record.numberMatch;
  if (claims.num !== undefined && !wantsNumber) return fail('malformed', null, id);

  const answered = { ok: true as const, challengeId: id, decision: claims.dec, userVerified: claims.uv, respondedAt };
  if (claims.dec === 'cancel') return { ...answered, outcome: 'cancelled', suspicious: false, event: 'cancel' };
  if (claims.dec === 'suspicious') return { ...answered, outcome: 'denied', suspicious: true, event: 'suspicious' };

  if (wantsNumber) {
    // One attempt: a wrong or missing number spends the challenge.
    const typed = claims.num ?? '';
    if (!constantTimeEqualString(typed, record.number as string)) return fail('wrong_number', 'deny', id);
  }
  if (requireUserVerification && !claims.uv) return fail('user_not_verified', 'deny', id);
  return { ...answered, outcome: 'approved', suspicious: false, event: 'approve' };
}
