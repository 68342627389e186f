import { verifyHotp, verifyTotp } from '@cloudmfa/otp/server';
import { type EnrolmentRecord } from '@cloudmfa/storage';
import { assertUserId } from '@cloudmfa/storage/adapter';
import { nowOf, type ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isEnrolmentId } from '../internal/ids.js';
import { type EnrolmentMeta, readMeta } from '../internal/meta.js';
import { checkRateLimits, clientAddressOf } from '../internal/rateLimit.js';
import { blockedStatus, type CodeCheck, type CodeChecker, otpAttempt } from '../internal/otpAttempt.js';
import type { VerifyOtpInput, VerifyOtpResult } from '../types.js';

/** Longest input looked at as a code; anything longer is a format failure. */
const MAX_CODE_LENGTH = 64;

/** The TOTP/HOTP check of docs/server.md section 4 step 3, for `verifyOtp`. */
function codeChecker(ctx: ServerContext, code: unknown): CodeChecker {
  const typed = typeof code === 'string' && code.length <= MAX_CODE_LENGTH ? code : null;
  return ({ meta, secret, guard, now }): CodeCheck => {
    if (typed === null) return { kind: 'failure', detail: 'format' };
    const otp = meta.otp;
    if (otp.type === 'hotp') {
      const counter = guard.lastStep !== null ? guard.lastStep + 1 : otp.counter;
      if (counter > Number.MAX_SAFE_INTEGER) return { kind: 'failure', detail: 'mismatch' };
      const r = verifyHotp({ secret, algorithm: otp.algorithm, code: typed, counter, lookAhead: ctx.policy.otp.hotpLookAhead, digits: otp.digits });
      return r.ok ? { kind: 'match', step: r.counter, delta: r.delta } : { kind: 'failure', detail: r.reason };
    }
    const maxDrift = ctx.policy.otp.maxDriftSteps;
    const drift = Math.max(-maxDrift, Math.min(maxDrift, guard.drift ?? 0));
    // Centred on the remembered drift first, then (a corrected phone clock) on the server's step:
    // one options object for both (verifyTotp reads the clock once, before it returns).
    let at = now + drift * otp.period * 1000;
    const options = {
      secret,
      algorithm: otp.algorithm,
      code: typed,
      window: ctx.policy.otp.window,
      period: otp.period,
      digits: otp.digits,
      afterStep: guard.lastStep ?? undefined,
      now: () => at,
    };
    const centred = verifyTotp(options);
    if (centred.ok) return { kind: 'match', step: centred.step, delta: centred.delta + drift };
    if (centred.reason === 'mismatch' && drift !== 0) {
      at = now;
      const plain = verifyTotp(options);
      if (plain.ok) return { kind: 'match', step: plain.step, delta: plain.delta };
      if (plain.reason === 'replayed') return { kind: 'replayed' };
    }
    return centred.reason === 'replayed' ? { kind: 'replayed' } : { kind: 'failure', detail: centred.reason };
  };
}

/**
 * Verifies a code for one enrolment or for a user (docs/server.md section 4). Never throws on
 * what the user typed; a call with neither id throws `ERR_INVALID_ARGUMENT`.
 */
export async function verifyOtp(ctx: ServerContext, input: VerifyOtpInput): Promise<VerifyOtpResult> {
  if (typeof input !== 'object' || input === null) throw serverError('ERR_INVALID_ARGUMENT', '"input" expected { enrolmentId, code } or { userId, code }');
  const { enrolmentId, userId, code, clientIp } = input as { enrolmentId?: unknown; userId?: unknown; code?: unknown; clientIp?: unknown };
  const now = nowOf(ctx);
  const address = clientAddressOf(clientIp);
  let candidates: EnrolmentRecord[];
  let metas: EnrolmentMeta[];
  if (enrolmentId !== undefined) {
    if (typeof enrolmentId !== 'string') throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected a string');
    // Every request counts on its address, unknown ids too (section 12.2).
    const byIp = checkRateLimits(ctx, 'verify', { clientIp: address });
    if (byIp !== null) {
      const refused = await byIp;
      if (refused) return refused;
    }
    if (!isEnrolmentId(enrolmentId)) return { ok: false, reason: 'not_found' };
    const rec = await ctx.store.enrolments.get(enrolmentId);
    if (!rec) return { ok: false, reason: 'not_found' };
    const byUser = checkRateLimits(ctx, 'verify', { userId: rec.userId });
    if (byUser !== null) {
      const refused = await byUser;
      if (refused) return refused;
    }
    const meta = readMeta(rec);
    const blocked = blockedStatus(rec, meta, now);
    if (blocked) return { ok: false, reason: 'not_active', enrolmentId: rec.id, status: blocked };
    candidates = [rec];
    metas = [meta];
  } else if (userId !== undefined) {
    if (typeof userId !== 'string') throw serverError('ERR_INVALID_ARGUMENT', '"userId" expected a string');
    let validUser = true;
    try {
      assertUserId(userId, 'userId');
    } catch {
      validUser = false;
    }
    const limited = await checkRateLimits(ctx, 'verify', { clientIp: address, userId: validUser ? userId : null });
    if (limited) return limited;
    if (!validUser) return { ok: false, reason: 'not_found' };
    const all = await ctx.store.enrolments.listByUser(userId, { limit: 1000 });
    if (all.length === 0) return { ok: false, reason: 'not_found' };
    // Active first, most recently activated first; then activatable pending ones, newest first.
    const usable = all
      .map((rec) => ({ rec, meta: readMeta(rec) }))
      .filter((c) => blockedStatus(c.rec, c.meta, now) === null)
      .sort((a, b) => (b.rec.activatedAt ?? -1) - (a.rec.activatedAt ?? -1) || b.rec.createdAt - a.rec.createdAt)
      .slice(0, ctx.policy.maxEnrolmentsPerUser);
    if (usable.length === 0) {
      const last = all[all.length - 1] as EnrolmentRecord;
      return { ok: false, reason: 'not_active', enrolmentId: last.id, status: blockedStatus(last, readMeta(last), now) ?? 'pending' };
    }
    candidates = usable.map((c) => c.rec);
    metas = usable.map((c) => c.meta);
  } else {
    throw serverError('ERR_INVALID_ARGUMENT', '"input" expected { enrolmentId, code } or { userId, code }');
  }
  return otpAttempt(ctx, candidates, metas, codeChecker(ctx, code), 'otp.accepted');
}
