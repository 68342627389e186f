// Rate limits per client address and per user on `verifyOtp` and `createPushChallenge`
// (docs/server.md section 12.2), beside the per-enrolment throttle. Fixed windows, counted in the
// store's guard, so every server instance on the store shares them: one `recordFailure` per
// window and subject (atomic in every store, the count first and the decision on the counted
// value, so parallel requests cannot all slip past a read). The window's row is a time-based
// guard (docs/storage.md section 5.2): forgotten and removed one window after its last count.
import type { ThrottlePolicy } from '@cloudmfa/storage';
import { throttleKeyOfIp } from './clientAddress.js';
import { nowOf, type ServerContext } from './context.js';
import { auxGuardId } from './ids.js';

/** Which limit refused a request. */
type RateLimitScope = 'ip' | 'user';

/** A refusal: the scope that was over its limit and the ms until its window ends. */
export interface RateLimited {
  ok: false;
  reason: 'rate_limited';
  scope: RateLimitScope;
  retryAfterMs: number;
}

interface Window {
  limit: number;
  windowMs: number;
}

/** A client address the limits count (1..256 characters), or `null`. */
export function clientAddressOf(clientIp: unknown): string | null {
  return typeof clientIp === 'string' && clientIp.length > 0 && clientIp.length <= 256 ? throttleKeyOfIp(clientIp) : null;
}

async function count(ctx: ServerContext, operation: 'verify' | 'push', scope: RateLimitScope, subject: string, w: Window, now: number): Promise<RateLimited | null> {
  const index = Math.floor(now / w.windowMs);
  // Count only: no delay, no lock; the decision is `failures > limit` within this window.
  const policy: ThrottlePolicy = { freeFailures: 99_999, baseDelayMs: 0, maxDelayMs: 0, lockoutFailures: 100_000, lockoutMs: 0, forgetAfterMs: w.windowMs };
  const id = auxGuardId(ctx.crypto, 'l', `${operation}\u0000${scope}\u0000${w.windowMs}\u0000${index}\u0000${subject}`);
  const state = await ctx.store.guard.recordFailure(id, policy);
  return state.failures > w.limit ? { ok: false, reason: 'rate_limited', scope, retryAfterMs: (index + 1) * w.windowMs - now } : null;
}

/**
 * Counts one request of `operation` against the configured limits of the subjects given (both
 * concurrently) and resolves the refusal of the first scope over its limit (`ip` before `user`),
 * or `null`. A refused request still counts. Answers `null` at once, without a promise, when
 * no limit applies to these subjects (the default policy: no limits; this is on every verify).
 */
export function checkRateLimits(
  ctx: ServerContext,
  operation: 'verify' | 'push',
  subjects: { clientIp?: string | null; userId?: string | null },
): Promise<RateLimited | null> | null {
  const limits = ctx.policy.rateLimits[operation];
  const byIp = limits.perIp && subjects.clientIp ? limits.perIp : null;
  const byUser = limits.perUser && subjects.userId ? limits.perUser : null;
  if (byIp === null && byUser === null) return null;
  const now = nowOf(ctx);
  const checks: Promise<RateLimited | null>[] = [];
  if (byIp !== null) checks.push(count(ctx, operation, 'ip', subjects.clientIp as string, byIp, now));
  if (byUser !== null) checks.push(count(ctx, operation, 'user', subjects.userId as string, byUser, now));
  return Promise.all(checks).then((results) => results.find((r) => r !== null) ?? null);
}
