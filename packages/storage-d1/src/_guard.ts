import {
  type AttemptResult,
  type ConsumeResult,
  type OtpGuardStore,
  type PendingAuditEntry,
  throttleDelay,
  type ThrottlePolicy,
} from '@cloudmfa/storage';
import {
  assertStorageId,
  assertThrottlePolicy,
  normalizeConsume,
  normalizeSettle,
  parseJsonObject,
  resolveLimit,
} from '@cloudmfa/storage/adapter';
import type { D1AuditPart } from './_audit.js';
import type { D1Context } from './_context.js';
import { toGuard } from '@cloudmfa/sqlite-dialect';

// Exponents past this give maxDelayMs anyway (throttleDelay caps the exponent at 52).
const DELAY_STEPS = 54;

/**
 * The delays of failures `freeFailures + 1 ...` as a JSON array, computed by `throttleDelay`
 * itself: SQL looks the delay up by the count it just incremented, so the increment and the
 * lock are decided inside one transaction with exactly the shared curve.
 */
function delayTable(p: ThrottlePolicy): string {
  return JSON.stringify(Array.from({ length: DELAY_STEPS }, (_, k) => throttleDelay(p, p.freeFailures + 1 + k)));
}

// A forgotten guard (ThrottlePolicy.forgetAfterMs, docs/storage.md 5.2) reads as absent, and is
// deleted before any write looks at it, so it counts from zero again.
const GET = 'SELECT * FROM cloudmfa_otp_guard WHERE org = $ORG AND enrolment_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)';
const GET_RAW = 'SELECT * FROM cloudmfa_otp_guard WHERE org = $ORG AND enrolment_id = ?1';
const FORGET = 'DELETE FROM cloudmfa_otp_guard WHERE org = $ORG AND enrolment_id = ?1 AND expires_at <= ?2';
// A failure's batch is FORGET, FAIL, LOCK, EXPIRE, PURGE. With a gate (attempt: ?gate is now),
// FAIL counts only a guard that is not locked, and each statement after it runs only when the one
// before it changed its row (`changes() = 1`: FAIL counted, so LOCK touched the row, so EXPIRE
// did): a refused attempt writes nothing.
const GATED = (gate: string) => `(${gate} IS NULL OR changes() = 1)`;
// Forgotten guards one failure removes at most: more than it can add.
const PURGE = `DELETE FROM cloudmfa_otp_guard WHERE rowid IN
    (SELECT rowid FROM cloudmfa_otp_guard WHERE expires_at <= ?1 AND ${GATED('?2')} LIMIT 8)`;
// When the guard is forgotten (guardExpiry of @cloudmfa/storage, in SQL so that it is decided in
// the failure's transaction): never once it accepted a step or without forgetAfterMs (?3 NULL).
const EXPIRE = `UPDATE cloudmfa_otp_guard SET expires_at = CASE WHEN last_step IS NOT NULL OR ?3 IS NULL THEN NULL
    ELSE CAST(max(?2, coalesce(locked_until, 0)) + ?3 AS INTEGER) END WHERE org = $ORG AND enrolment_id = ?1 AND ${GATED('?4')}`;
// The outbox entry of an accepted consume, in the consume's transaction: written only when the
// statement just before it (the consume) changed its row. A key already there writes nothing.
const OUTBOX_INSERT = `INSERT INTO cloudmfa_audit_outbox (org, entry_key, at, kind, enrolment_id, user_id, detail)
    SELECT $ORG, ?1, ?2, ?3, ?4, ?5, ?6 WHERE changes() = 1 ON CONFLICT (org, entry_key) DO NOTHING`;
const OUTBOX_LIST = 'SELECT * FROM cloudmfa_audit_outbox WHERE org = $ORG ORDER BY at, entry_key LIMIT ?1';
const OUTBOX_DELETE = 'DELETE FROM cloudmfa_audit_outbox WHERE org = $ORG AND entry_key = ?1 AND enrolment_id = ?2';
// The whole verify-and-consume in one statement: insert the first use, or advance last_step
// only when not locked and strictly greater.
const CONSUME = `INSERT INTO cloudmfa_otp_guard
    (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at)
    VALUES ($ORG, ?1, ?2, 0, NULL, ?3, ?4)
    ON CONFLICT (org, enrolment_id) DO UPDATE SET
      last_step = excluded.last_step, failures = 0, locked_until = NULL,
      drift = coalesce(excluded.drift, drift), last_used_at = excluded.last_used_at, expires_at = NULL
    WHERE (locked_until IS NULL OR locked_until <= ?4 OR (?5 IS NOT NULL AND locked_until <= ?5)) AND (last_step IS NULL OR last_step < excluded.last_step)
    RETURNING *`;
// ?2: the gate (attempt's now, else NULL): a guard locked at it is not counted (no row back).
const FAIL = `INSERT INTO cloudmfa_otp_guard
    (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at)
    VALUES ($ORG, ?1, NULL, 1, NULL, NULL, NULL)
    ON CONFLICT (org, enrolment_id) DO UPDATE SET failures = failures + 1
    WHERE ?2 IS NULL OR locked_until IS NULL OR locked_until <= ?2 RETURNING *`;
// ?2 now, ?3 lockoutFailures, ?4 lockoutMs, ?5 freeFailures, ?6 the delay table. D1 binds a
// JavaScript number as REAL: the index and the lock are cast back to integers.
const DELAY = `(CASE WHEN failures >= ?3 THEN ?4 WHEN failures <= ?5 THEN 0
    ELSE json_extract(?6, '$[' || CAST(min(failures - ?5 - 1, ${DELAY_STEPS - 1}) AS INTEGER) || ']') END)`;
// Touches the row whenever FAIL counted (the lock kept when there is no delay), for EXPIRE's gate.
const LOCK = `UPDATE cloudmfa_otp_guard
    SET locked_until = CASE WHEN ${DELAY} > 0 THEN CAST(max(coalesce(locked_until, 0), ?2 + ${DELAY}) AS INTEGER) ELSE locked_until END
    WHERE org = $ORG AND enrolment_id = ?1 AND ${GATED('?7')}`;
const RESET = 'UPDATE cloudmfa_otp_guard SET failures = 0, locked_until = NULL WHERE org = $ORG AND enrolment_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)';

/**
 * The OTP guard part of the D1 store: the verify-and-consume is one statement, and its audit
 * entry is written in the same batch (one transaction): into `audit` (the same organisation's
 * log) when the caller names that very log as `auditLog`, else into the outbox.
 */
export function d1Guard(ctx: D1Context, audit: D1AuditPart): OtpGuardStore {
  const { st, batch, now } = ctx;
  /**
   * `recordFailure`'s batch: the count, the lock it earns, the guard's expiry, the purge of
   * forgotten guards, then the row. With `gate` (attempt), a guard locked at `t` is left as it
   * is, and the count's rows (the batch's second list) are empty.
   */
  const count = async (id: string, p: ThrottlePolicy, t: number, gate: boolean) => {
    const g = gate ? t : null;
    const [, counted, , , , rows] = await batch([
      st(FORGET, id, t),
      st(FAIL, id, g),
      st(LOCK, id, t, p.lockoutFailures, p.lockoutMs, p.freeFailures, delayTable(p), g),
      st(EXPIRE, id, t, p.forgetAfterMs ?? null, g),
      st(PURGE, t, g),
      st(GET_RAW, id),
    ]);
    return { counted: (counted?.length ?? 0) > 0, state: toGuard(rows?.[0]) };
  };
  return {
    get: async (id) => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      const [rows] = await batch([st(GET, id, t)]);
      return rows?.[0] ? toGuard(rows[0]) : null;
    },
    consume: async (id, step, opts) => {
      const t = now();
      const { drift, unlock, audit: entry } = normalizeConsume(id, step, opts);
      // This organisation's own log object, and only it, takes the entry directly (docs/storage.md section 5).
      const direct = entry !== null && opts?.auditLog === audit.log;
      // The consume, its audit entry and the read that explains a refusal in one transaction: exact.
      const results = await batch([
        st(FORGET, id, t),
        st(CONSUME, id, step, drift ?? null, t, unlock ?? null),
        ...(entry && direct ? audit.keyed(entry, t, true) : []),
        ...(entry && !direct ? [st(OUTBOX_INSERT, entry.key, t, entry.kind, entry.enrolmentId, entry.userId, entry.detail)] : []),
        st(GET_RAW, id),
      ]);
      const won = results[1];
      const cur = results[results.length - 1];
      if (won?.[0]) {
        const state = toGuard(won[0]);
        return direct ? { ok: true, state, logged: audit.read(results[3]) } : { ok: true, state };
      }
      const state = toGuard(cur?.[0]);
      if (state.lockedUntil !== null && t < state.lockedUntil && (unlock === undefined || state.lockedUntil > unlock)) {
        return { ok: false, reason: 'locked', lockedUntil: state.lockedUntil, failures: state.failures } satisfies ConsumeResult;
      }
      return { ok: false, reason: 'replayed', lastStep: state.lastStep as number } satisfies ConsumeResult;
    },
    recordFailure: async (id, policy) => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      assertThrottlePolicy(policy);
      return (await count(id, { ...policy }, t, false)).state;
    },
    attempt: async (id, policy): Promise<AttemptResult> => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      assertThrottlePolicy(policy);
      const { counted, state } = await count(id, { ...policy }, t, true);
      if (counted) return { ok: true, state };
      // Not counted: the lock refused it (read in the same transaction, nothing written).
      return { ok: false, reason: 'locked', lockedUntil: state.lockedUntil as number, failures: state.failures };
    },
    reset: async (id) => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      await batch([st(RESET, id, t)]);
    },
    listPendingAudit: async (options) => {
      now();
      const limit = resolveLimit(options?.limit, 'limit');
      const [rows = []] = await batch([st(OUTBOX_LIST, limit)]);
      return rows.map(toPending);
    },
    settleAudit: async (entry) => {
      now();
      const { key, enrolmentId } = normalizeSettle(entry);
      await batch([st(OUTBOX_DELETE, key, enrolmentId)]);
    },
  };
}

function toPending(r: Record<string, unknown>): PendingAuditEntry {
  return {
    key: r.entry_key as string,
    kind: r.kind as string,
    enrolmentId: r.enrolment_id as string,
    userId: (r.user_id as string | null) ?? null,
    detail: parseJsonObject(r.detail, 'detail'),
    at: r.at as number,
  };
}
