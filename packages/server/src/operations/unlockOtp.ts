import { record } from '../internal/audit.js';
import type { ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isEnrolmentId } from '../internal/ids.js';
import type { UnlockOtpResult } from '../types.js';

/**
 * Admin unlock: clears the failure count and lock of a real enrolment, keeps the replay state.
 * Audited `otp.unlocked`. The server's internal guards (push pause, redemption budgets, per-IP
 * throttle) are not enrolments: their ids never resolve here (`not_found`, nothing audited).
 */
export async function unlockOtp(ctx: ServerContext, enrolmentId: string): Promise<UnlockOtpResult> {
  if (typeof enrolmentId !== 'string') throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected a string');
  if (!isEnrolmentId(enrolmentId)) return { ok: false, reason: 'not_found' };
  const rec = await ctx.store.enrolments.get(enrolmentId);
  if (!rec) return { ok: false, reason: 'not_found' };
  await ctx.store.guard.reset(rec.id);
  await record(ctx, 'otp.unlocked', { enrolmentId: rec.id, userId: rec.userId });
  return { ok: true };
}
