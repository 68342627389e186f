import { peekPushMessage } from '@cloudmfa/push';
import { verifyPushPollRequest } from '@cloudmfa/push/server';
import { readChallengeMeta } from '../internal/challengeMeta.js';
import { nowOf, type ServerContext } from '../internal/context.js';
import { isEnrolmentId } from '../internal/ids.js';
import { deviceKeyOf, readMeta } from '../internal/meta.js';
import type { PollPushChallengesResult } from '../types.js';

/**
 * The device poll (docs/protocol/push.md 3.3): verifies the device-signed, time-bounded request
 * and returns the enrolment's pending challenge tokens, newest first. Listing is idempotent, so
 * a replayed poll request within its 60 s only lists again. Never throws on the token.
 */
export async function pollPushChallenges(ctx: ServerContext, request: unknown): Promise<PollPushChallengesResult> {
  if (typeof request !== 'string') return { ok: false, reason: 'malformed' };
  const peek = peekPushMessage(request);
  if (!peek.ok || peek.kind !== 'poll') return { ok: false, reason: 'malformed' };
  if (!isEnrolmentId(peek.enrolmentId)) return { ok: false, reason: 'not_found' };
  const enrolment = await ctx.store.enrolments.get(peek.enrolmentId);
  if (!enrolment) return { ok: false, reason: 'not_found' };
  const key = enrolment.status === 'active' ? deviceKeyOf(readMeta(enrolment)) : null;
  if (!key) return { ok: false, reason: 'not_active' };
  const now = nowOf(ctx);
  const verified = await verifyPushPollRequest({
    request,
    devicePublicKey: key,
    expectedEnrolmentId: enrolment.id,
    now: () => now,
    maxSkewMs: ctx.policy.push.maxSkewMs,
    crypto: ctx.crypto,
  });
  if (!verified.ok) return { ok: false, reason: verified.reason };
  const pending = await ctx.store.challenges.listPending(enrolment.id, { limit: ctx.policy.push.pollLimit });
  return { ok: true, enrolmentId: enrolment.id, challenges: pending.map((c) => readChallengeMeta(c).token) };
}
