import { nowOf, type ServerContext } from '../internal/context.js';
import { isEnrolmentId } from '../internal/ids.js';
import { toView } from '../internal/meta.js';
import type { EnrolmentView } from '../types.js';

/** One enrolment without any secret, or `null`. */
export async function getEnrolment(ctx: ServerContext, enrolmentId: string): Promise<EnrolmentView | null> {
  if (!isEnrolmentId(enrolmentId)) return null;
  const rec = await ctx.store.enrolments.get(enrolmentId);
  return rec ? toView(rec, ctx.keyRing, nowOf(ctx)) : null;
}
