import type { Clock } from '@cloudmfa/core';
import { checkDigits, checkInt, checkOptions, codeAt, currentStep, MAX_COUNTER, readCode, reasonOf, release, resolveKey, sameCode } from './_common.js';
import type { OtpAlgorithm, OtpSecret, TotpVerifyResult } from './types.js';

/**
 * Verifies a TOTP code a user typed. **Never throws on `code`**: spaces, tabs, line breaks and
 * dashes are ignored, and anything else wrong is a typed result (`format`: a non-digit;
 * `length`: the wrong number of digits; `mismatch`; `replayed`). Developer misuse (a bad
 * window, digits, period, secret or clock) throws `CloudMfaError`.
 *
 * Steps are tried nearest first (`delta` 0, -1, +1, -2, ...) and each comparison is constant
 * time: the time taken depends on the window and the result only, never on how close a wrong
 * code was.
 *
 * **Store `step` and pass it back as `afterStep`, or codes can be replayed.** A code whose step
 * is at or below `afterStep` is refused with `reason: 'replayed'` (RFC 6238 section 5.2).
 *
 * @param options.secret - an `OtpKey` from `createOtpKey` (fastest) or raw bytes.
 * @param options.window - steps accepted around now: `n` (both sides) or `{ past, future }`,
 *   each 0..10, default 1 (`ERR_OTP_WINDOW`).
 * @param options.afterStep - the step of the last accepted code (`ERR_OTP_AFTER_STEP` if not a
 *   safe integer).
 * @param options.now - clock in milliseconds, default `systemClock`.
 * @example
 * ```ts
 * const r = verifyTotp({ secret: key, code: '123 456', afterStep: user.lastStep, now: clock });
 * if (r.ok) user.lastStep = r.step; // keep it: it blocks replays
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
  const step = currentStep(options);
  // A number is both sides, an object { past, future }.
  const w = (options.window ?? 1) as { past?: unknown; future?: unknown };
  const o = typeof w === 'object' && w !== null;
  const past = checkInt(o ? w.past : w, o ? 'window.past' : 'window', 0, 10, 'ERR_OTP_WINDOW');
  const future = checkInt(o ? w.future : w, o ? 'window.future' : 'window', 0, 10, 'ERR_OTP_WINDOW');
  const last = checkInt(options.afterStep ?? -1, 'afterStep', -1 - MAX_COUNTER, MAX_COUNTER, 'ERR_OTP_AFTER_STEP');
  // Read before the key: a raw-bytes key lives in a shared slot until this call returns.
  const typed = readCode(options.code, digits);
  const key = resolveKey(options.secret, options.algorithm);
  let result: TotpVerifyResult | undefined = typed < 0 ? { ok: false, reason: reasonOf(typed) } : undefined;

  let replayed = false;
  // Nearest first: 0, -1, +1, -2, +2, ...
  for (let i = 0; !result && i <= 2 * (past > future ? past : future); i++) {
    const delta = i & 1 ? -(i + 1) / 2 : i / 2;
    const s = step + delta;
    if (delta < -past || delta > future || s < 0 || !sameCode(codeAt(key, s, digits), typed)) continue;
    if (s > last) result = { ok: true, delta, step: s };
    else replayed = true;
  }
  release(key);
  return result ?? { ok: false, reason: replayed ? 'replayed' : 'mismatch' };
}
