import { record } from '../internal/audit.js';
import type { ServerContext } from '../internal/context.js';
import { pauseGuardId } from '../internal/pause.js';
import { checkUserId } from './startActivation.js';

/** Lifts a push pause set by a Suspicious answer (admin). Audited `push.resumed`. */
export async function resumePush(ctx: ServerContext, userId: string): Promise<void> {
  checkUserId(userId);
  await ctx.store.guard.reset(pauseGuardId(ctx, userId));
  await record(ctx, 'push.resumed', { userId });
}
