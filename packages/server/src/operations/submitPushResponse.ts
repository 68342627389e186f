import { decodeBase64Url, isCloudMfaError, utf8Decode } from '@cloudmfa/core';
import { peekPushMessage } from '@cloudmfa/push';
import { PUSH_CHALLENGE_TRANSITIONS, type PushChallengeEvent, verifyPushResponse } from '@cloudmfa/push/server';
import type { ChallengeFinalStatus, ChallengeRecord, EnrolmentRecord, JsonObject } from '@cloudmfa/storage';
import { record } from '../internal/audit.js';
import { readChallengeMeta, toPushRecord } from '../internal/challengeMeta.js';
import { nowOf, type ServerContext } from '../internal/context.js';
import { isStorageId } from '../internal/ids.js';
import { bindingOf, deviceKeyOf, type EnrolmentMeta, readMeta } from '../internal/meta.js';
import { maintainEnrolment } from '../internal/maintain.js';
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
  const enrolmentMeta = enrolment ? readMeta(enrolment) : null;
  const key = enrolment && enrolmentMeta && enrolment.status === 'active' ? deviceKeyOf(enrolmentMeta) : null;
  if (!enrolment || !enrolmentMeta || !key) return failure('not_active', challenge.id);
  const now = nowOf(ctx);
  // The device key is bound to the sealed seed (issue 11 §7): a key a database writer swapped
  // in does not open it, and nothing signed with it takes effect.
  if (!(await deviceKeyIsBound(ctx, enrolment, enrolmentMeta, now))) {
    await record(ctx, 'enrolment.tampered', { enrolmentId: enrolment.id, userId: enrolment.userId, detail: { challengeId: challenge.id, via: 'push' }, risk: true });
    return failure('tampered', challenge.id);
  }
  const result = await verifyPushResponse({
    response,
    expectedChallenge: await toPushRecord(challenge, meta, ctx, answeredNumber(response)),
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
  if (event === 'approve') {
    // No approval while the user's pushes are paused (issue 11 §2): the challenge is closed
    // the way the pause closes the others, and the device is told why.
    const pausedUntil = await ctx.store.challenges.getPause(enrolment.userId);
    if (pausedUntil !== null) {
      await ctx.store.challenges.finalize(challenge.id, { status: 'cancelled', outcome: { reason: 'paused' } });
      return failure('paused', challenge.id);
    }
  }
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
      // One store operation: the pause, and EVERY pending challenge of the user cancelled,
      // atomically with respect to concurrent creates (they are cancelled or refused).
      const paused = await ctx.store.challenges.pauseUser(enrolment.userId, {
        until: nowOf(ctx) + pauseMs,
        outcome: { reason: 'suspicious_pause', by: challenge.id },
      });
      pausedUntil = paused.pausedUntil;
      closed = paused.cancelled;
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

/** The number the device answered (`num` of the response's payload), read before verification only to pick what to compare it with. */
function answeredNumber(response: string): string | null {
  try {
    const payload = response.split('.')[1];
    if (payload === undefined) return null;
    const claims = JSON.parse(utf8Decode(decodeBase64Url(payload))) as { num?: unknown };
    return typeof claims.num === 'string' ? claims.num : null;
  } catch {
    return null;
  }
}

/** Opens the sealed seed with the enrolment's bound attributes; a legacy blob is re-sealed on the way. */
async function deviceKeyIsBound(ctx: ServerContext, rec: EnrolmentRecord, meta: EnrolmentMeta, now: number): Promise<boolean> {
  let opened: { kind: string; bytes: Uint8Array };
  try {
    opened = await ctx.keyRing.open(rec.secret, bindingOf(rec, meta));
  } catch (e) {
    if (isCloudMfaError(e, 'ERR_SERVER_DECRYPT')) return false;
    throw e;
  }
  try {
    if (opened.kind !== 'seed') return false;
    await maintainEnrolment(ctx, rec, meta, opened.bytes, now);
    return true;
  } finally {
    opened.bytes.fill(0);
  }
}
