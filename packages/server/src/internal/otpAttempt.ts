// One OTP attempt against one or more enrolments (docs/server.md section 4): lock check,
// count-first throttling, code check, activation of a pending offline/otpauth enrolment,
// atomic consume, audit, lazy key maintenance.
import { type AttemptResult, type EnrolmentRecord, type OtpGuardState, STORAGE_LIMITS } from '@cloudmfa/storage';
import type { VerifyOtpResult } from '../types.js';
import { moveAuditEntry, publish, record, withActor } from './audit.js';
import { settled } from './auditMoves.js';
import { type ServerContext, nowOf } from './context.js';
import { serverError } from './errors.js';
import { outboxKey } from './ids.js';
import { maintainEnrolment, needsMaintenance } from './maintain.js';
import { bindingOf, type EnrolmentMeta } from './meta.js';

/** What checking the code against one enrolment found. */
export type CodeCheck =
  | { kind: 'match'; step: number; delta: number }
  | { kind: 'replayed' }
  | { kind: 'failure'; detail: 'format' | 'length' | 'mismatch' };

/** `guard` is the state after this attempt was counted: its `lastStep` and `drift` are the stored ones. */
export type CodeChecker = (input: { meta: EnrolmentMeta; secret: Uint8Array; guard: OtpGuardState; now: number }) => CodeCheck;

const MAX_DRIFT_STORED = 100_000;

function lockedResult(rec: EnrolmentRecord, lockedUntil: number, now: number): VerifyOtpResult {
  return { ok: false, reason: 'locked', enrolmentId: rec.id, retryAfterMs: Math.max(1, lockedUntil - now) };
}

/** The status that keeps an enrolment from verifying codes, or `null` when it can. */
export function blockedStatus(rec: EnrolmentRecord, meta: EnrolmentMeta, now: number): 'pending' | 'revoked' | 'expired' | null {
  if (rec.status === 'revoked') return 'revoked';
  if (rec.status === 'active') return null;
  // Pending: online enrolments activate by redemption only; the others by their first code.
  if (meta.mode === 'online') return now >= rec.expiresAt ? 'expired' : 'pending';
  return now >= rec.expiresAt ? 'expired' : null;
}

/**
 * Runs one attempt. `candidates` are usable enrolments (see `blockedStatus`), at least one;
 * `metas` their `readMeta`, in the same order (the caller read them for `blockedStatus`).
 * `method` names the audit entry on success (`otp.accepted` or `otp.resynced`).
 */
export async function otpAttempt(
  ctx: ServerContext,
  candidates: EnrolmentRecord[],
  metas: readonly EnrolmentMeta[],
  check: CodeChecker, success: 'otp.accepted' | 'otp.resynced'): Promise<VerifyOtpResult> {
  const { guard } = ctx.store;
  const throttle = ctx.policy.throttle;
  const now = nowOf(ctx);
  const first = candidates[0] as EnrolmentRecord;

  // 1. Locked? Then nothing else happens: nothing is counted and the code is not even looked
  // at. 2. Otherwise the attempt is counted before it is checked, so parallel guesses cannot
  // all pass the lock check: `attempt` does both in one atomic store call. With several
  // candidates every guard is read first, so a lock on any one counts nothing on the others.
  if (candidates.length > 1) {
    const before = await Promise.all(candidates.map((c) => guard.get(c.id)));
    for (let i = 0; i < candidates.length; i++) {
      const g = before[i];
      if (g?.lockedUntil != null && now < g.lockedUntil) return lockedResult(candidates[i] as EnrolmentRecord, g.lockedUntil, now);
    }
  }
  // One candidate (a verify by enrolment id): no array of promises to gather.
  const attempts = candidates.length === 1 ? [await guard.attempt(first.id, throttle)] : await Promise.all(candidates.map((c) => guard.attempt(c.id, throttle)));
  const counted: OtpGuardState[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const a = attempts[i] as AttemptResult;
    // A lock set between the read above and these counts (several candidates): refused, and
    // the counts already made on the other candidates stay (docs/server.md section 4, step 2).
    if (!a.ok) return lockedResult(candidates[i] as EnrolmentRecord, a.lockedUntil, now);
    counted.push(a.state);
  }

  // 3. Check the code against each candidate.
  let failure: { detail: 'format' | 'length' | 'mismatch' } | null = null;
  let replayedId: string | null = null;
  for (let i = 0; i < candidates.length; i++) {
    const rec = candidates[i] as EnrolmentRecord;
    const meta = metas[i] as EnrolmentMeta;
    const opened = await ctx.keyRing.open(rec.secret, bindingOf(rec, meta));
    if (opened.kind !== 'seed') {
      opened.bytes.fill(0);
      throw serverError('ERR_SERVER_CORRUPT', 'an enrolment that verifies codes does not hold a seed');
    }
    let result: CodeCheck;
    try {
      // The seed's bytes go to verifyTotp/verifyHotp as they are: their one-shot path sets the
      // key up without allocating (an OtpKey would cost a registry entry per call).
      result = check({ meta, secret: opened.bytes, guard: counted[i] as OtpGuardState, now });
      if (result.kind === 'match') {
        return await accept(ctx, candidates, i, meta, result, counted, opened.bytes, now, success);
      }
    } finally {
      opened.bytes.fill(0);
    }
    if (result.kind === 'replayed') replayedId ??= rec.id;
    else failure ??= { detail: result.detail };
  }

  // 5. No match: the failure is already counted.
  if (replayedId !== null) {
    await record(ctx, 'otp.refused', { enrolmentId: replayedId, userId: first.userId, detail: { reason: 'replayed' } });
    return { ok: false, reason: 'replayed', enrolmentId: replayedId };
  }
  const detail = failure?.detail ?? 'mismatch';
  let worst = counted[0] as OtpGuardState;
  for (let i = 0; i < candidates.length; i++) {
    const rec = candidates[i] as EnrolmentRecord;
    const s = counted[i] as OtpGuardState;
    if ((s.lockedUntil ?? 0) > (worst.lockedUntil ?? 0)) worst = s;
    const locked = s.failures >= throttle.lockoutFailures;
    await record(ctx, locked ? 'otp.locked' : 'otp.refused', {
      enrolmentId: rec.id,
      userId: rec.userId,
      detail: locked ? { reason: detail, failures: s.failures, lockedUntil: s.lockedUntil } : { reason: detail, failures: s.failures },
      risk: locked,
    });
  }
  const retryAfterMs = worst.lockedUntil != null && worst.lockedUntil > now ? worst.lockedUntil - now : null;
  return { ok: false, reason: 'invalid', detail, enrolmentId: first.id, failures: worst.failures, retryAfterMs };
}

async function accept(
  ctx: ServerContext,
  candidates: EnrolmentRecord[],
  index: number,
  meta: EnrolmentMeta,
  match: { step: number; delta: number },
  counted: OtpGuardState[],
  seed: Uint8Array,
  now: number,
  success: 'otp.accepted' | 'otp.resynced',
): Promise<VerifyOtpResult> {
  const { guard, enrolments } = ctx.store;
  let rec = candidates[index] as EnrolmentRecord;
  let activated = false;
  if (rec.status === 'pending') {
    // Offline / otpauth: the first correct code proves the app holds the seed.
    const r = await enrolments.redeem(rec.id);
    if (r.ok) {
      activated = true;
      rec = r.enrolment;
      await record(ctx, 'enrolment.redeemed', { enrolmentId: rec.id, userId: rec.userId, detail: { mode: meta.mode, via: 'otp' } });
    } else if (r.reason === 'not_found') {
      return { ok: false, reason: 'not_found' };
    } else if (r.reason !== 'already_active') {
      return { ok: false, reason: 'not_active', enrolmentId: rec.id, status: r.reason === 'expired' ? 'expired' : 'revoked' };
    }
  }
  // Our own count may have set a lock (past freeFailures), possibly extended by attempts
  // counted concurrently, on other servers whose clocks differ (any lock older than our read
  // refused us in step 1). A correct code lifts it, but only together with the acceptance of
  // a new step, atomically in the store: a replayed step never lowers the failure count nor
  // lifts the lock (issue 11 §5).
  const own = counted[index] as OtpGuardState;
  const drift = Math.max(-MAX_DRIFT_STORED, Math.min(MAX_DRIFT_STORED, match.delta));
  const unlock = own.lockedUntil != null && own.lockedUntil > now ? { unlockThrough: STORAGE_LIMITS.maxTime } : {};
  const method = meta.otp.type;
  // The consumed step (TOTP) or counter (HOTP): which code was spent is auditable. The entry is
  // recorded in the guard store's outbox atomically with the acceptance (issue 11 §6), so a
  // spent code always has its record, whatever happens to the audit log afterwards.
  const entry = {
    key: outboxKey(ctx, rec.id, match.step, now),
    kind: success,
    enrolmentId: rec.id,
    userId: rec.userId,
    detail: withActor(ctx, { method, delta: match.delta, step: match.step }),
  };
  const consumed = await guard.consume(rec.id, match.step, { drift, ...unlock, audit: entry, auditLog: ctx.auditLog });
  if (!consumed.ok) {
    if (consumed.reason === 'replayed') {
      await record(ctx, 'otp.refused', { enrolmentId: rec.id, userId: rec.userId, detail: { reason: 'replayed' } });
      return { ok: false, reason: 'replayed', enrolmentId: rec.id };
    }
    return { ok: false, reason: 'locked', enrolmentId: rec.id, retryAfterMs: Math.max(1, consumed.lockedUntil - now) };
  }
  // The code is spent: from here on nothing may turn the answer into an error. What fails is
  // left for later (the outbox drain; the next reset; the next read's maintenance).
  // The user is present: the attempt counted on their other devices is void.
  for (let i = 0; i < candidates.length; i++) if (i !== index) await settled(() => guard.reset((candidates[i] as EnrolmentRecord).id));
  // Logged in the same atomic step by a store that holds the audit log; otherwise moved from
  // the outbox, awaited or in the background (`auditMove`; docs/server.md section 4.1).
  const logged = consumed.logged;
  if (logged) publish(ctx, logged, false);
  else await ctx.auditMoves.run(() => moveAuditEntry(ctx, { ...entry, at: now }, false));
  if (needsMaintenance(ctx, rec, meta, now)) await settled(() => maintainEnrolment(ctx, rec, meta, seed, now));
  return { ok: true, enrolmentId: rec.id, userId: rec.userId, method, delta: match.delta, step: match.step, activated };
}
