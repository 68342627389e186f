import { PUSH_CHALLENGE_TRANSITIONS, type PushChallengeEvent, peekPushMessage, verifyPushResponse } from '@cloudmfa/push';
import type { ChallengeFinalStatus, ChallengeRecord, EnrolmentRecord, JsonObject } from '@cloudmfa/storage';
import { record } from '../internal/audit.js';
import { readChallengeMeta, toPushRecord } from '../internal/challengeMeta.js';
import { nowOf, type ServerContext } from '../internal/context.js';
import { isStorageId } from '../internal/ids.js';
import { deviceKeyOf, readMeta } from '../internal/meta.js';
import { pauseGuardId, pausePolicy } from '../internal/pause.js';
import type { SubmitPushResponseResult } from '../types.js';

type Failure = Extract<SubmitPushResponseResult, { ok: false }>;
const failure = (reason: Failure['reason'], challengeId: string | null = null): Failure => ({ ok: false, reason, challengeId });

/**
 * Applies a device's push response (docs/server.md section 5, docs/protocol/push.md 6.2):
 * verify with the enrolment's device key, then the atomic `finalize` of exactly the event
 * `verifyPushResponse` names. Of N servers given the same response, one finalize wins; the
 * others answer `replayed` and audit nothing. Never throws on the token.
 */
export async function submitPushResponse(ctx: ServerContext, response: unknown): Promise<SubmitPushResponseResult> {
  if (typeof response !== 'string') return failure('malformed');
  const peek = peekPushMessage(response);
  if (!peek.ok || peek.kind !== 'response') return failure('malformed');
  if (!isStorageId(peek.challengeId)) return failure('not_found');
  const challenge = await ctx.store.challenges.get(peek.challengeId);
  if (!challenge) return failure('not_found');
  const meta = readChallengeMeta(challenge);
  const enrolment = await ctx.store.enrolments.get(challenge.enrolmentId);
  const key = enrolment && enrolment.status === 'active' ? deviceKeyOf(readMeta(enrolment)) : null;
  if (!enrolment || !key) return failure('not_active', challenge.id);
  const now = nowOf(ctx);
  const result = await verifyPushResponse({
    response,
    expectedChallenge: toPushRecord(challenge, meta),
    devicePublicKey: key,
    now: () => now,
    maxSkewMs: ctx.policy.push.maxSkewMs,
    requireUserVerification: ctx.policy.push.requireUserVerification,
    crypto: ctx.crypto,
  });
  if (!result.ok) {
    if (result.event === 'deny' && (result.reason === 'wrong_number' || result.reason === 'user_not_verified')) {
      // A genuine answer that spends the single attempt: a denial that takes effect.
      return apply(ctx, challenge, enrolment, 'deny', { decision: 'confirm', reason: result.reason }, result.reason);
    }
    // `expire` needs no write: a pending challenge past its expiry reads as expired.
    return failure(result.reason === 'wrong_number' || result.reason === 'user_not_verified' ? 'malformed' : result.reason, result.challengeId);
  }
  return apply(ctx, challenge, enrolment, result.event, { decision: result.decision, userVerified: result.userVerified, respondedAt: result.respondedAt }, null);
}

const STATUS: Record<Exclude<PushChallengeEvent, 'expire'>, ChallengeFinalStatus> = {
  approve: 'approved',
  suspicious: 'denied',
  deny: 'denied',
  cancel: 'cancelled',
};

async function apply(
  ctx: ServerContext,
  challenge: ChallengeRecord,
  enrolment: EnrolmentRecord,
  event: Exclude<PushChallengeEvent, 'expire'>,
  outcome: JsonObject,
  detail: null | 'wrong_number' | 'user_not_verified',
): Promise<SubmitPushResponseResult> {
  const status = STATUS[event];
  const won = await ctx.store.challenges.finalize(challenge.id, { status, outcome });
  if (!won.ok) {
    if (won.reason === 'not_found') return failure('not_found', challenge.id);
    return failure(won.reason === 'expired' || (won.reason === 'already_final' && won.status === 'expired') ? 'expired' : 'replayed', challenge.id);
  }
  const transition = PUSH_CHALLENGE_TRANSITIONS[event];
  const base = { enrolmentId: challenge.enrolmentId, userId: enrolment.userId };
  if (event === 'suspicious') {
    const pauseMs = ctx.policy.push.suspiciousPauseMs;
    let pausedUntil: number | null = null;
    let closed = 0;
    if (pauseMs > 0) {
      pausedUntil = (await ctx.store.guard.recordFailure(pauseGuardId(ctx, enrolment.userId), pausePolicy(pauseMs))).lockedUntil;
      closed = await closePendingChallenges(ctx, enrolment.userId, challenge.id);
    }
    await record(ctx, 'push.suspicious', { ...base, detail: { challengeId: challenge.id, pausedUntil, closedChallenges: closed }, risk: true });
  } else if (transition.audit === 'push.approved') {
    await record(ctx, 'push.approved', { ...base, detail: { challengeId: challenge.id, userVerified: outcome.userVerified === true } });
  } else if (transition.audit === 'push.denied') {
    await record(ctx, 'push.denied', { ...base, detail: { challengeId: challenge.id, reason: detail } });
  }
  // Cancel: no audit entry, no event (docs/protocol/push.md 6.3).
  return { ok: true, challengeId: challenge.id, status, suspicious: event === 'suspicious', detail };
}

/**
 * The pause also closes the user's other pending challenges: in a push-fatigue attack the
 * earlier prompts are the attacker's too, and must not stay answerable until they expire.
 * They end `cancelled` (as a discarded prompt does, so nothing is audited per challenge); a
 * response that arrives later gets `replayed`. Returns how many were closed.
 */
async function closePendingChallenges(ctx: ServerContext, userId: string, except: string): Promise<number> {
  let closed = 0;
  for (const enrolment of await ctx.store.enrolments.listByUser(userId)) {
    for (const pending of await ctx.store.challenges.listPending(enrolment.id)) {
      if (pending.id === except) continue;
      const r = await ctx.store.challenges.finalize(pending.id, { status: 'cancelled', outcome: { reason: 'suspicious_pause', by: except } });
      if (r.ok) closed++;
    }
  }
  return closed;
}

