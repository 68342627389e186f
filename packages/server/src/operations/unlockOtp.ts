import { record } from '../internal/audit.js';
import type { ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isStorageId } from '../internal/ids.js';

/** Admin unlock: clears the failure count and lock, keeps the replay state. Audited `otp.unlocked`. */
export async function unlockOtp(ctx: ServerContext, enrolmentId: string): Promise<void> {
  if (!isStorageId(enrolmentId)) throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected 1..128 of [A-Za-z0-9_-]');
  const rec = await ctx.store.enrolments.get(enrolmentId);
  await ctx.store.guard.reset(enrolmentId);
  await record(ctx, 'otp.unlocked', { enrolmentId, userId: rec?.userId ?? null });
}
