import { storageError } from './errors.js';

/**
 * How failures slow down and lock an enrolment's OTP (RFC 4226 section 7.3): after
 * `freeFailures` the delay doubles from `baseDelayMs` up to `maxDelayMs`; at
 * `lockoutFailures` the enrolment is locked for `lockoutMs`.
 *
 * @example
 * ```ts
 * const strict: ThrottlePolicy = { freeFailures: 2, baseDelayMs: 2000, maxDelayMs: 60_000, lockoutFailures: 5, lockoutMs: 3_600_000 };
 * ```
 */
export interface ThrottlePolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockoutFailures: number;
  lockoutMs: number;
  /**
   * Forget the guard this long (ms) after its last failure or the end of its lock, whichever is
   * later, unless it has accepted a step: a time-based throttle whose rows do not outlive it.
   * Absent: never forgotten (an enrolment's guard holds its last step).
   */
  forgetAfterMs?: number;
}

/**
 * Defaults: 3 free failures, then 1 s, 2 s, 4 s ... capped at 5 min, and a 15 min lockout at
 * the 10th consecutive failure.
 *
 * @example
 * ```ts
 * await store.guard.recordFailure(enrolmentId, { ...DEFAULT_THROTTLE_POLICY, lockoutFailures: 5 });
 * ```
 */
export const DEFAULT_THROTTLE_POLICY: Readonly<ThrottlePolicy> = Object.freeze({
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: 300_000,
  lockoutFailures: 10,
  lockoutMs: 900_000,
});

const MAX_DELAY = 366 * 24 * 3600 * 1000;
const MAX_FAILURES = 100_000;

/**
 * The delay in ms that `failures` consecutive failures impose. Pure and shared by every
 * adapter, so SQL and Lua implementations lock for exactly the same time.
 *
 * ```
 * failures >= lockoutFailures  -> lockoutMs
 * failures >  freeFailures     -> min(maxDelayMs, baseDelayMs * 2^(failures - freeFailures - 1))
 * otherwise                    -> 0
 * ```
 *
 * @example
 * ```ts
 * throttleDelay(DEFAULT_THROTTLE_POLICY, 5); // 2000
 * ```
 */
export function throttleDelay(policy: ThrottlePolicy, failures: number): number {
  if (failures >= policy.lockoutFailures) return policy.lockoutMs;
  if (failures <= policy.freeFailures) return 0;
  // Exponent capped so the product stays finite; the min() bounds it anyway.
  const exp = Math.min(failures - policy.freeFailures - 1, 52);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exp);
}

/**
 * Validates a {@link ThrottlePolicy}; throws `ERR_STORAGE_INVALID` naming the field.
 *
 * @example
 * ```ts
 * assertThrottlePolicy(policy); // before any I/O in recordFailure
 * ```
 */
export function assertThrottlePolicy(policy: unknown): asserts policy is ThrottlePolicy {
  if (typeof policy !== 'object' || policy === null) {
    throw storageError('ERR_STORAGE_INVALID', '"policy" expected a ThrottlePolicy object');
  }
  const p = policy as Record<string, unknown>;
  const int = (name: string, min: number, max: number) => {
    const v = p[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw storageError('ERR_STORAGE_INVALID', `"policy.${name}" expected an integer in [${min}, ${max}]`);
    }
    return v;
  };
  const free = int('freeFailures', 0, MAX_FAILURES - 1);
  int('lockoutFailures', free + 1, MAX_FAILURES);
  int('baseDelayMs', 0, MAX_DELAY);
  int('maxDelayMs', 0, MAX_DELAY);
  int('lockoutMs', 0, MAX_DELAY);
  if (p.forgetAfterMs !== undefined) int('forgetAfterMs', 1, MAX_DELAY);
}

/**
 * When a guard counted with `policy` is forgotten (ms), or `null` when it never is: it has
 * accepted a step, or `policy` has no `forgetAfterMs`. Shared by every adapter.
 *
 * @example
 * ```ts
 * guardExpiry({ ...DEFAULT_THROTTLE_POLICY, forgetAfterMs: 3_600_000 }, { now, lockedUntil: null, lastStep: null }); // now + 1 h
 * ```
 */
export function guardExpiry(policy: ThrottlePolicy, state: { now: number; lockedUntil: number | null; lastStep: number | null }): number | null {
  if (policy.forgetAfterMs === undefined || state.lastStep !== null) return null;
  return Math.max(state.now, state.lockedUntil ?? 0) + policy.forgetAfterMs;
}
