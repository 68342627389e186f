import { record } from '../internal/audit.js';
import type { ServerContext } from '../internal/context.js';
import { checkUserId } from './startActivation.js';

/** Lifts a push pause set by a Suspicious answer (admin). Audited `push.resumed`. */
export async function resumePush(ctx: ServerContext, userId: string): Promise<void> {
  checkUserId(userId);
  await ctx.store.challenges.resumeUser(userId);
  await record(ctx, 'push.resumed', { userId });
}
