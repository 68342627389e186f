import type { PushContext } from '@cloudmfa/push';
import { buildApnsPayload, buildFcmPayload, createPushChallenge as createChallenge } from '@cloudmfa/push/server';
import type { EnrolmentRecord } from '@cloudmfa/storage';
import { challengeMetaToJson, numberMac } from '../internal/challengeMeta.js';
import { nowOf, type ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isEnrolmentId } from '../internal/ids.js';
import { deviceKeyOf, readMeta } from '../internal/meta.js';
import { checkRateLimits, clientAddressOf } from '../internal/rateLimit.js';
import type { CreatePushChallengeResult, PushChallengeSettings } from '../types.js';
import { checkUserId } from './startActivation.js';
import { pushSettingsSchema } from '../internal/settings.js';


function pushCapable(rec: EnrolmentRecord): boolean {
  if (rec.status !== 'active') return false;
  const meta = readMeta(rec);
  return meta.mode === 'online' && deviceKeyOf(meta) !== null;
}

/**
 * Creates, stores and signs a push challenge for a user (docs/server.md section 5). Typed
 * results for "no device" and "paused"; a context or alert the push package refuses throws its
 * `ERR_PUSH_*` / `ERR_INVALID_ARGUMENT` code (caller input, not user input).
 */
export async function createPushChallenge(ctx: ServerContext, userId: string, context: PushContext, rawOptions?: PushChallengeSettings): Promise<CreatePushChallengeResult> {
  checkUserId(userId);
  const parsed = pushSettingsSchema.safeParse(rawOptions ?? {});
  if (!parsed.success) throw serverError('ERR_INVALID_ARGUMENT', '"options" expected { numberMatch?, enrolmentId?, alert?, clientIp? }');
  const options = parsed.data;
  const now = nowOf(ctx);
  const limited = await checkRateLimits(ctx, 'push', { clientIp: clientAddressOf(options.clientIp), userId });
  if (limited) return limited;

  // A cheap early answer; the binding check is inside the store's create (below).
  const pausedUntil = await ctx.store.challenges.getPause(userId);
  if (pausedUntil !== null && now < pausedUntil) return { ok: false, reason: 'paused', retryAfterMs: pausedUntil - now };

  let target: EnrolmentRecord | undefined;
  if (options.enrolmentId !== undefined) {
    if (!isEnrolmentId(options.enrolmentId)) return { ok: false, reason: 'no_device' };
    const rec = await ctx.store.enrolments.get(options.enrolmentId);
    target = rec && rec.userId === userId && pushCapable(rec) ? rec : undefined;
  } else {
    const all = await ctx.store.enrolments.listByUser(userId, { limit: 1000 });
    target = all.filter(pushCapable).sort((a, b) => (b.activatedAt ?? 0) - (a.activatedAt ?? 0) || (b.id < a.id ? -1 : 1))[0];
  }
  if (!target) return { ok: false, reason: 'no_device' };
  const meta = readMeta(target);
  const device = meta.device as NonNullable<typeof meta.device>;

  // Number matching is on unless the policy or this call turns it off.
  const wanted = options.numberMatch ?? ctx.policy.push.numberMatch;
  const numberMatch = wanted === true ? { digits: ctx.policy.push.numberMatchDigits } : wanted || false;
  const created = await createChallenge({
    enrolmentId: target.id,
    context,
    signer: ctx.pushSigner,
    numberMatch,
    ttlSeconds: ctx.policy.push.ttlSeconds,
    now: () => now,
    random: ctx.random,
  });
  const alert = options.alert ? { ...options.alert } : undefined;
  const apns = buildApnsPayload({ challenge: created, ...(alert ? { alert } : {}) });
  const fcm = buildFcmPayload({ challenge: created, ...(alert ? { alert } : {}) });
  const { record } = created;
  // The number itself is never stored: only its MAC under a data key the KEK wraps.
  const mac = record.numberMatch && record.number !== null ? { ...(await numberMac(ctx, record.id, record.number)), numberDigits: record.number.length } : {};
  const stored = await ctx.store.challenges.create({
    id: record.id,
    enrolmentId: target.id,
    userId,
    expiresAt: record.expiresAt,
    maxPendingPerUser: ctx.policy.push.maxPendingPerUser,
    meta: challengeMetaToJson({ v: 1, token: created.token, hash: record.hash, issuedAt: record.issuedAt, numberMatch: record.numberMatch, ...mac }),
  });
  if (!stored.ok) {
    if (stored.reason === 'paused') return { ok: false, reason: 'paused', retryAfterMs: Math.max(1, stored.pausedUntil - now) };
    return { ok: false, reason: 'too_many_pending', pending: stored.pending };
  }
  return {
    ok: true,
    challengeId: record.id,
    enrolmentId: target.id,
    token: created.token,
    number: created.number,
    expiresAt: record.expiresAt,
    pushToken: device.pushToken,
    platform: device.platform,
    apns,
    fcm,
  };
}
