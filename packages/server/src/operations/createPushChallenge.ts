import { buildApnsPayload, buildFcmPayload, createPushChallenge as createChallenge, type PushContext } from '@cloudmfa/push';
import type { EnrolmentRecord } from '@cloudmfa/storage';
import * as z from 'zod';
import { challengeMetaToJson } from '../internal/challengeMeta.js';
import { nowOf, type ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isStorageId } from '../internal/ids.js';
import { deviceKeyOf, readMeta } from '../internal/meta.js';
import { pauseGuardId } from '../internal/pause.js';
import type { CreatePushChallengeResult, PushChallengeSettings } from '../types.js';
import { checkUserId } from './startActivation.js';

const optionsSchema = z
  .object({
    numberMatch: z.union([z.boolean(), z.object({ digits: z.number().int().min(2).max(6) }).strict()]).optional(),
    enrolmentId: z.string().optional(),
    alert: z.object({ title: z.string().optional(), body: z.string().optional() }).strict().optional(),
  })
  .strict();

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
  const parsed = optionsSchema.safeParse(rawOptions ?? {});
  if (!parsed.success) throw serverError('ERR_INVALID_ARGUMENT', '"options" expected { numberMatch?, enrolmentId?, alert? }');
  const options = parsed.data;
  const now = nowOf(ctx);

  const pause = await ctx.store.guard.get(pauseGuardId(ctx, userId));
  if (pause?.lockedUntil != null && now < pause.lockedUntil) return { ok: false, reason: 'paused', retryAfterMs: pause.lockedUntil - now };

  let target: EnrolmentRecord | undefined;
  if (options.enrolmentId !== undefined) {
    if (!isStorageId(options.enrolmentId)) return { ok: false, reason: 'no_device' };
    const rec = await ctx.store.enrolments.get(options.enrolmentId);
    target = rec && rec.userId === userId && pushCapable(rec) ? rec : undefined;
  } else {
    const all = await ctx.store.enrolments.listByUser(userId, { limit: 1000 });
    target = all.filter(pushCapable).sort((a, b) => (b.activatedAt ?? 0) - (a.activatedAt ?? 0) || (b.id < a.id ? -1 : 1))[0];
  }
  if (!target) return { ok: false, reason: 'no_device' };
  const meta = readMeta(target);
  const device = meta.device as NonNullable<typeof meta.device>;

  const numberMatch = options.numberMatch === true ? { digits: ctx.policy.push.numberMatchDigits } : options.numberMatch || false;
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
  await ctx.store.challenges.create({
    id: record.id,
    enrolmentId: target.id,
    userId,
    expiresAt: record.expiresAt,
    meta: challengeMetaToJson({ v: 1, token: created.token, hash: record.hash, issuedAt: record.issuedAt, numberMatch: record.numberMatch, number: record.number }),
  });
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
