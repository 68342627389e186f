import { type ConsumeResult, type OtpGuardState, type OtpGuardStore } from '@cloudmfa/storage';
import { assertDrift, assertStep, assertStorageId, assertThrottlePolicy, assertTime, storageError } from '@cloudmfa/storage/adapter';
import { decodeGuard, intOf, mapOfObject, nullableIntOf } from './_codec.js';
import { type Batcher, createBatcher } from './_batch.js';
import type { StoreContext } from './_context.js';
import { guardKey } from './_keys.js';
import { GUARD_CONSUME, GUARD_FAILURE, GUARD_RESET } from './_scripts.js';

const corrupt = () => storageError('ERR_STORAGE_CORRUPT', 'a stored OTP guard cannot be decoded');

function strings(reply: unknown, n: number): string[] {
  if (!Array.isArray(reply) || reply[0] === 'corrupt' || reply.length < n || reply.some((v) => typeof v !== 'string')) throw corrupt();
  return reply as string[];
}

/**
 * The OTP guard part of the Redis store set: one hash per enrolment, one script per change.
 * `consume`, the hot path, goes through a batcher (group commit); `drain` is for close().
 */
export function redisGuard(ctx: StoreContext): OtpGuardStore & { drain(): Promise<void> } {
  const { client, prefix } = ctx;
  const consumes: Batcher = createBatcher(ctx, GUARD_CONSUME);

  return {
    drain: () => consumes.drain(),
    get: (enrolmentId) =>
      ctx.op(async () => {
        assertStorageId(enrolmentId, 'enrolmentId');
        const f = mapOfObject(await client.hgetall(guardKey(prefix, enrolmentId)), 'OTP guard');
        return f.size === 0 ? null : decodeGuard(enrolmentId, f);
      }),

    consume: (enrolmentId, step, options) =>
      ctx.op(async (now): Promise<ConsumeResult> => {
        assertStorageId(enrolmentId, 'enrolmentId');
        assertStep(step, 'step');
        const drift = options?.drift;
        if (drift !== undefined) assertDrift(drift, 'drift');
        const unlock = options?.unlockThrough;
        if (unlock !== undefined) assertTime(unlock, 'unlockThrough');
        const args = [String(now), String(step), drift === undefined ? '' : String(drift), unlock === undefined ? '' : String(unlock)];
        const r = strings(await consumes.push(guardKey(prefix, enrolmentId), args), 1);
        if (r[0] === 'ok' && r.length === 2) {
          return {
            ok: true,
            state: { enrolmentId, lastStep: step, failures: 0, lockedUntil: null, drift: nullableIntOf(r[1], 'guard drift'), lastUsedAt: now },
          };
        }
        if (r[0] === 'replayed' && r.length === 2) return { ok: false, reason: 'replayed', lastStep: intOf(r[1], 'guard lastStep') };
        if (r[0] === 'locked' && r.length === 3) {
          return { ok: false, reason: 'locked', lockedUntil: intOf(r[1], 'guard lockedUntil'), failures: intOf(r[2], 'guard failures') };
        }
        throw corrupt();
      }),

    recordFailure: (enrolmentId, policy) =>
      ctx.op(async (now): Promise<OtpGuardState> => {
        assertStorageId(enrolmentId, 'enrolmentId');
        assertThrottlePolicy(policy);
        const r = strings(
          await ctx.run(GUARD_FAILURE, [guardKey(prefix, enrolmentId)], [
            String(now),
            String(policy.freeFailures),
            String(policy.baseDelayMs),
            String(policy.maxDelayMs),
            String(policy.lockoutFailures),
            String(policy.lockoutMs),
          ]),
          6,
        );
        if (r[0] !== 'ok') throw corrupt();
        return {
          enrolmentId,
          lastStep: nullableIntOf(r[1], 'guard lastStep'),
          failures: intOf(r[2], 'guard failures'),
          lockedUntil: nullableIntOf(r[3], 'guard lockedUntil'),
          drift: nullableIntOf(r[4], 'guard drift'),
          lastUsedAt: nullableIntOf(r[5], 'guard lastUsedAt'),
        };
      }),

    reset: (enrolmentId) =>
      ctx.op(async () => {
        assertStorageId(enrolmentId, 'enrolmentId');
        await ctx.run(GUARD_RESET, [guardKey(prefix, enrolmentId)], []);
      }),
  };
}
