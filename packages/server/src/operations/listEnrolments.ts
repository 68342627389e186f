import { nowOf, type ServerContext } from '../internal/context.js';
import { toView } from '../internal/meta.js';
import type { EnrolmentView } from '../types.js';
import { checkUserId } from './startActivation.js';

/** A user's enrolments (oldest first, at most 1000) without any secret. */
export async function listEnrolments(ctx: ServerContext, userId: string): Promise<EnrolmentView[]> {
  checkUserId(userId);
  const now = nowOf(ctx);
  return (await ctx.store.enrolments.listByUser(userId, { limit: 1000 })).map((r) => toView(r, ctx.keyRing, now));
}
