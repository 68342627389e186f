import { type Clock, systemClock } from '@cloudmfa/core';
import {
  checkDigits,
  checkInt,
  checkOptions,
  checkTiming,
  elapsedMs,
  fail,
  MAX_COUNTER,
  POW10,
  readCode,
  reasonOf,
  resolveKey,
  sameCode,
  truncated,
} from './_common.js';
import type { OtpAlgorithm, OtpSecret, TotpVerifyResult } from './types.js';

/** Largest TOTP window on either side. */
const MAX_WINDOW = 10;

/**
 * Verifies a TOTP code a user typed. **Never throws on `code`**: spaces, tabs, line breaks and
 * dashes are ignored, and anything else wrong is a typed result (`format`: a non-digit;
 * `length`: the wrong number of digits; `mismatch`; `replayed`). Developer misuse (a bad
 * window, digits, period, secret or clock) throws `CloudMfaError`.
 *
 * Every step of the window is computed and compared in constant time, whatever matches; among
 * matches the nearest step wins (`delta` 0, -1, +1, -2, ...).
 *
 * **Store `step` and pass it back as `afterStep`, or codes can be replayed.** A code whose step
 * is at or below `afterStep` is refused with `reason: 'replayed'` (RFC 6238 section 5.2).
 *
 * @param options.window - steps accepted around now: `n` (both sides) or `{ past, future }`,
 *   each 0..10, default 1 (`ERR_OTP_WINDOW`).
 * @param options.afterStep - the step of the last accepted code (`ERR_OTP_AFTER_STEP` if not a
 *   safe integer).
 * @param options.now - clock in milliseconds, default `systemClock`.
 * @example
 * ```ts
 * const r = verifyTotp({ secret: key, code: '123 456', afterStep: user.lastStep, now: clock });
 * if (r.valid) user.lastStep = r.step; // keep it: it blocks replays
 * else if (r.reason === 'replayed') tellUserToWaitForTheNextCode();
 * ```
 */
export function verifyTotp(options: {
  secret: OtpSecret;
  code: string;
  now?: Clock;
  window?: number | { past: number; future: number };
  afterStep?: number;
  period?: number;
  t0?: number;
  digits?: number;
  algorithm?: OtpAlgorithm;
}): TotpVerifyResult {
  checkOptions(options, 'options', true);
  const digits = checkDigits(options.digits ?? 6);
  const { period, t0 } = checkTiming(options.period ?? 30, options.t0 ?? 0);
  const { past, future } = windowOf(options.window);
  const afterStep = options.afterStep;
  if (afterStep !== undefined) checkInt(afterStep, 'afterStep', -MAX_COUNTER, MAX_COUNTER, 'ERR_OTP_AFTER_STEP');
  const key = resolveKey(options.secret, options.algorithm);
  const step = Math.floor(elapsedMs(options.now ?? systemClock, t0) / (period * 1000));

  const typed = readCode(options.code, digits);
  if (typed < 0) return { valid: false, reason: reasonOf(typed) };

  const mod = POW10[digits] as number;
  const last = afterStep ?? -1;
  let found = 0;
  let foundDelta = 0;
  let replayed = 0;
  const reach = past > future ? past : future;
  // Order 0, -1, +1, -2, +2, ...: the first acceptable match is the nearest one.
  for (let k = 0; k <= reach; k++) {
    for (let side = -1; side <= 1; side += 2) {
      if (k === 0 && side === 1) continue;
      const delta = side * k;
      if (delta < -past || delta > future) continue;
      const s = step + delta;
      if (s < 0) continue;
      const hit = sameCode(truncated(key, s) % mod, typed);
      const fresh = s > last ? 1 : 0;
      // No early exit: the whole window is computed whatever matches.
      if (hit & fresh & (found ^ 1)) foundDelta = delta;
      found |= hit & fresh;
      replayed |= hit & (fresh ^ 1);
    }
  }
  if (found) return { valid: true, delta: foundDelta, step: step + foundDelta };
  return { valid: false, reason: replayed ? 'replayed' : 'mismatch' };
}

function windowOf(window: unknown): { past: number; future: number } {
  if (window === undefined) return { past: 1, future: 1 };
  if (typeof window === 'number') {
    const n = checkInt(window, 'window', 0, MAX_WINDOW, 'ERR_OTP_WINDOW');
    return { past: n, future: n };
  }
  if (typeof window !== 'object' || window === null) return fail('ERR_OTP_WINDOW', '"window" expected a number or { past, future }');
  const w = window as { past?: unknown; future?: unknown };
  return {
    past: checkInt(w.past, 'window.past', 0, MAX_WINDOW, 'ERR_OTP_WINDOW'),
    future: checkInt(w.future, 'window.future', 0, MAX_WINDOW, 'ERR_OTP_WINDOW'),
  };
}
