import { type Clock, systemClock } from '@cloudmfa/core';
import { checkOptions, checkPeriod, checkT0, elapsedMs } from './_common.js';

/**
 * The current TOTP time step and the milliseconds until the next one (for a countdown next to
 * the code).
 *
 * @param options.now - clock in milliseconds (default `systemClock`; `ERR_OTP_TIME`).
 * @param options.period - seconds per step, default 30 (`ERR_OTP_PERIOD`).
 * @param options.t0 - Unix seconds of step 0, default 0 (`ERR_OTP_T0`).
 * @example
 * ```ts
 * const { step, remainingMs } = totpStep({ now: () => 59_000 }); // { step: 1, remainingMs: 1000 }
 * console.log(`${totp({ secret: key })} (${Math.ceil(remainingMs / 1000)} s left)`);
 * ```
 */
export function totpStep(options: { now?: Clock; period?: number; t0?: number } = {}): { step: number; remainingMs: number } {
  checkOptions(options);
  const periodMs = checkPeriod(options.period ?? 30) * 1000;
  const elapsed = elapsedMs(options.now ?? systemClock, checkT0(options.t0 ?? 0));
  const step = Math.floor(elapsed / periodMs);
  return { step, remainingMs: periodMs - (elapsed - step * periodMs) };
}
