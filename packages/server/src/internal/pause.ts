import type { ThrottlePolicy } from '@cloudmfa/storage';
import type { ServerContext } from './context.js';
import { auxGuardId } from './ids.js';

/** The guard that holds a user's push pause (shared by every server through the store). */
export function pauseGuardId(ctx: ServerContext, userId: string): string {
  return auxGuardId(ctx.crypto, 'p', userId);
}

/** Every recorded Suspicious locks the pause guard for exactly `pauseMs` from now (never less than an earlier pause). */
export function pausePolicy(pauseMs: number): ThrottlePolicy {
  return { freeFailures: 0, baseDelayMs: pauseMs, maxDelayMs: pauseMs, lockoutFailures: 100_000, lockoutMs: pauseMs };
}
