import { checkedRandom, type Clock, encodeBase64Url, type RandomSource, type Signer, systemClock, systemRandom } from '@cloudmfa/core';
import { isEnrolmentId } from './_claims.js';
import { drawNumber } from './_number.js';
import { contextToClaim, claimToContext } from './_context.js';
import { signJws, tokenHash } from './_jws.js';
import { thumbprintOf } from './_keys.js';
import { assertClock, assertOptionsObject, assertRandom, assertSigner, misuse, readClock } from './_options.js';
import { PUSH_LIMITS, PUSH_TYP } from './constants.js';
import type { PushChallengeRecord, PushContext } from './types.js';

/**
 * Options of {@link createPushChallenge}.
 *
 * @example
 * ```ts
 * const options: CreatePushChallengeOptions = { enrolmentId: 'enr_1', context: { service: 'Acme VPN' }, signer: serverPushKey, numberMatch: true };
 * ```
 */
export interface CreatePushChallengeOptions {
  /** The enrolment the challenge goes to: 1-128 characters of `[A-Za-z0-9._:-]`. */
  enrolmentId: string;
  /** What the user is shown. Over a cap: `ERR_PUSH_CONTEXT_TOO_LARGE`, never truncated. */
  context: PushContext;
  /** The server push key (`ES256` or `EdDSA`), the one the app pinned at activation. */
  signer: Signer;
  /** Number matching: `true` for 2 digits, or `{ digits }` with 2-6. Default off. */
  numberMatch?: boolean | { digits: number };
  /** Lifetime in seconds, 10-600. Default 120. */
  ttlSeconds?: number;
  /** Clock (ms). Default `systemClock`. */
  now?: Clock;
  /** Random source for the id and the number. Default `systemRandom`. */
  random?: RandomSource;
}

/**
 * What {@link createPushChallenge} returns.
 *
 * @example
 * ```ts
 * const created: CreatedPushChallenge = await createPushChallenge(options);
 * await store.pushChallenges.create(created.record);
 * showOnLoginPage(created.number);
 * ```
 */
export interface CreatedPushChallenge {
  /** The challenge token (compact JWS) for the push payload and the poll endpoint. */
  readonly token: string;
  /** What to store (state `pending`), and later pass to `verifyPushResponse`. */
  readonly record: PushChallengeRecord;
  /** The number for the login page, or `null` without number matching. Never put it in a push. */
  readonly number: string | null;
  /** The context as it travels (empty optional fields dropped, time in whole seconds). */
  readonly context: PushContext;
}

function numberDigits(numberMatch: unknown): number | null {
  if (numberMatch === undefined || numberMatch === false) return null;
  if (numberMatch === true) return PUSH_LIMITS.defaultNumberDigits;
  const digits = (numberMatch as { digits?: unknown } | null)?.digits;
  if (typeof numberMatch !== 'object' || typeof digits !== 'number' || !Number.isInteger(digits)) {
    misuse('"numberMatch" expected a boolean or { digits }');
  }
  if (digits < PUSH_LIMITS.minNumberDigits || digits > PUSH_LIMITS.maxNumberDigits) {
    misuse(`"numberMatch.digits" expected an integer in [${PUSH_LIMITS.minNumberDigits}, ${PUSH_LIMITS.maxNumberDigits}]`);
  }
  return digits;
}

/**
 * Server side: creates a push challenge signed by the server push key. It carries a 128-bit id,
 * the enrolment, issue and expiry times, the context and whether number matching is on, but
 * never the number: that is returned for the login page and kept in the record.
 *
 * Store `record` (state `pending`), send `token` with `buildApnsPayload` / `buildFcmPayload`,
 * show `number` on the login page. Throws `ERR_PUSH_CONTEXT_TOO_LARGE` / `ERR_PUSH_CONTEXT_INVALID`
 * for a context it will not send, `ERR_INVALID_ARGUMENT` for misuse.
 *
 * @example
 * ```ts
 * const { token, record, number } = await createPushChallenge({
 *   enrolmentId: enrolment.id,
 *   context: { service: 'Acme VPN', ip: '203.0.113.9', location: 'Berlin, DE', time: Date.now() },
 *   signer: serverPushKey,
 *   numberMatch: true,
 * });
 * await store.pushChallenges.create(record);
 * ```
 */
export async function createPushChallenge(options: CreatePushChallengeOptions): Promise<CreatedPushChallenge> {
  assertOptionsObject(options, 'options');
  const {
    enrolmentId,
    context,
    signer,
    numberMatch,
    ttlSeconds = PUSH_LIMITS.defaultTtlSeconds,
    now = systemClock,
    random = systemRandom,
  } = options;
  if (!isEnrolmentId(enrolmentId)) misuse('"enrolmentId" expected 1-128 characters of [A-Za-z0-9._:-]');
  assertSigner(signer, 'signer', ['ES256', 'EdDSA']);
  if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds) || ttlSeconds < PUSH_LIMITS.minTtlSeconds || ttlSeconds > PUSH_LIMITS.maxTtlSeconds) {
    misuse(`"ttlSeconds" expected an integer in [${PUSH_LIMITS.minTtlSeconds}, ${PUSH_LIMITS.maxTtlSeconds}]`);
  }
  assertClock(now);
  assertRandom(random);
  const digits = numberDigits(numberMatch);
  const ctx = contextToClaim(context);

  const rng = checkedRandom(random);
  const iat = Math.floor(readClock(now) / 1000);
  const exp = iat + ttlSeconds;
  const jti = encodeBase64Url(rng(16));
  const number = digits === null ? null : drawNumber(rng, digits);
  const claims = { jti, sub: enrolmentId, iat, exp, nm: digits !== null, ctx };
  const token = await signJws(PUSH_TYP.challenge, thumbprintOf(signer), claims, signer);

  const record: PushChallengeRecord = Object.freeze({
    id: jti,
    enrolmentId,
    hash: tokenHash(token),
    issuedAt: iat * 1000,
    expiresAt: exp * 1000,
    numberMatch: digits !== null,
    number,
    state: 'pending',
  });
  return Object.freeze({ token, record, number, context: claimToContext(ctx) });
}
