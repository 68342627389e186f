import { resyncHotp as resync } from '@cloudmfa/otp/server';
import { nowOf, type ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isEnrolmentId } from '../internal/ids.js';
import { readMeta } from '../internal/meta.js';
import { blockedStatus, otpAttempt } from '../internal/otpAttempt.js';
import type { VerifyOtpResult } from '../types.js';

/**
 * HOTP resynchronisation (RFC 4226 7.4): 2..4 consecutive codes, searched within
 * `policy.otp.hotpResyncLookAhead`; same throttling as `verifyOtp`. On success the counter of
 * the last code is consumed. A `codes` that is not an array of 2..4 entries, or a TOTP
 * enrolment, is misuse (`ERR_INVALID_ARGUMENT`); what the codes contain never throws.
 */
export async function resyncHotp(ctx: ServerContext, input: { enrolmentId: string; codes: readonly string[] }): Promise<VerifyOtpResult> {
  if (typeof input !== 'object' || input === null || typeof input.enrolmentId !== 'string') {
    throw serverError('ERR_INVALID_ARGUMENT', '"input" expected { enrolmentId, codes }');
  }
  const codes: unknown = input.codes;
  if (!Array.isArray(codes) || codes.length < 2 || codes.length > 4) throw serverError('ERR_INVALID_ARGUMENT', '"codes" expected 2 to 4 consecutive codes');
  if (!isEnrolmentId(input.enrolmentId)) return { ok: false, reason: 'not_found' };
  const rec = await ctx.store.enrolments.get(input.enrolmentId);
  if (!rec) return { ok: false, reason: 'not_found' };
  const meta = readMeta(rec);
  if (meta.otp.type !== 'hotp') throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" is not an HOTP enrolment');
  const blocked = blockedStatus(rec, meta, nowOf(ctx));
  if (blocked) return { ok: false, reason: 'not_active', enrolmentId: rec.id, status: blocked };
  const typed = codes.every((c) => typeof c === 'string' && c.length <= 64) ? (codes as string[]) : null;
  return otpAttempt(
    ctx,
    [rec],
    [meta],
    ({ meta: m, secret, guard }) => {
      if (typed === null || m.otp.type !== 'hotp') return { kind: 'failure', detail: 'format' };
      const counter = guard.lastStep !== null ? guard.lastStep + 1 : m.otp.counter;
      const r = resync({ secret, algorithm: m.otp.algorithm, codes: typed, counter, lookAhead: ctx.policy.otp.hotpResyncLookAhead, digits: m.otp.digits });
      return r.ok ? { kind: 'match', step: r.counter, delta: r.delta } : { kind: 'failure', detail: r.reason };
    },
    'otp.resynced',
  );
}
