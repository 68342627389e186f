import { challengeClaimsSchema, parseClaims, pollClaimsSchema, responseClaimsSchema } from './_claims.js';
import { decodeJsonPayload, parseJws } from './_jws.js';
import { PUSH_LIMITS, PUSH_TYP } from './constants.js';

/**
 * The result of {@link peekPushMessage}. **Unverified**: use it only to find the record and
 * the key to verify with.
 *
 * @example
 * ```ts
 * const peek: PeekPushMessageResult = peekPushMessage(body);
 * if (peek.ok && peek.kind === 'response') record = await store.pushChallenges.get(peek.challengeId);
 * ```
 */
export type PeekPushMessageResult =
  | { readonly ok: true; readonly kind: 'challenge'; readonly keyId: string; readonly challengeId: string; readonly enrolmentId: string }
  | { readonly ok: true; readonly kind: 'response'; readonly keyId: string; readonly challengeId: string }
  | { readonly ok: true; readonly kind: 'poll'; readonly keyId: string; readonly enrolmentId: string }
  | { readonly ok: false; readonly reason: 'malformed' };

/**
 * Reads a push token's kind, `kid` and the id needed to find what verifies it (the challenge
 * for a response, the enrolment for a poll request or a challenge), with every structural check
 * of the verifiers but **without** the signature. Never throws.
 *
 * Its output is attacker-controlled until the matching verify function has run: look up with
 * it, then verify; never act on it.
 *
 * @example
 * ```ts
 * const peek = peekPushMessage(body);
 * if (!peek.ok || peek.kind !== 'response') return badRequest();
 * const record = await store.pushChallenges.get(peek.challengeId);
 * ```
 */
export function peekPushMessage(token: unknown): PeekPushMessageResult {
  if (typeof token !== 'string') return { ok: false, reason: 'malformed' };
  const response = parseJws(token, PUSH_LIMITS.responseLength, PUSH_TYP.response, ['ES256']);
  if (response) {
    const claims = parseClaims(responseClaimsSchema, decodeJsonPayload(response));
    return claims ? { ok: true, kind: 'response', keyId: response.kid, challengeId: claims.cid } : { ok: false, reason: 'malformed' };
  }
  const poll = parseJws(token, PUSH_LIMITS.pollLength, PUSH_TYP.poll, ['ES256']);
  if (poll) {
    const claims = parseClaims(pollClaimsSchema, decodeJsonPayload(poll));
    return claims ? { ok: true, kind: 'poll', keyId: poll.kid, enrolmentId: claims.sub } : { ok: false, reason: 'malformed' };
  }
  const challenge = parseJws(token, PUSH_LIMITS.challengeLength, PUSH_TYP.challenge, ['ES256', 'EdDSA']);
  if (challenge) {
    const claims = parseClaims(challengeClaimsSchema, decodeJsonPayload(challenge));
    return claims
      ? { ok: true, kind: 'challenge', keyId: challenge.kid, challengeId: claims.jti, enrolmentId: claims.sub }
      : { ok: false, reason: 'malformed' };
  }
  return { ok: false, reason: 'malformed' };
}
