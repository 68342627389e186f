import {
  type AttemptResult,
  type ConsumeResult,
  type OtpGuardState,
  type OtpGuardStore,
  type PendingAuditEntry,
  throttleDelay,
  type ThrottlePolicy,
} from '@cloudmfa/storage';
import {
  assertStorageId,
  assertThrottlePolicy,
  guardExpiry,
  normalizeConsume,
  normalizeSettle,
  parseJsonObject,
  resolveLimit,
} from '@cloudmfa/storage/adapter';
import { type SqliteAuditPart } from './_audit.js';
import { rowOf, type SqliteContext } from './_context.js';
import { type Row, toGuard } from '@cloudmfa/sqlite-dialect';

/** Forgotten throttle guards one write removes at most (docs/storage.md 5.2): more than it can add. */
const PURGE_PER_WRITE = 8;

/** The columns the raw guard statements answer, in order (what `toGuard` and `count` read). */
const GUARD_COLUMNS = ['enrolment_id', 'last_step', 'failures', 'locked_until', 'drift', 'last_used_at', 'expires_at'] as const;

/**
 * The OTP guard part of the SQLite store: the whole verify-and-consume is one statement, and
 * its audit entry is written in the same transaction: into `audit` (the same organisation's
 * log) when the caller names that very log as `auditLog`, else into the outbox.
 */
export function sqliteGuard(ctx: SqliteContext, audit: SqliteAuditPart): OtpGuardStore {
  // Every statement names the organisation (docs/storage.md, "Organisations"); the purge of forgotten
  // rows is the one that spans them (it removes only what no read can see any more).
  const { runner, q, now, org } = ctx;
  const guardGet = q('SELECT * FROM cloudmfa_otp_guard WHERE org = @org AND enrolment_id = @id AND (expires_at IS NULL OR expires_at > @now)');
  const guardRaw = q('SELECT * FROM cloudmfa_otp_guard WHERE org = @org AND enrolment_id = @id');
  const guardPurge = q(`DELETE FROM cloudmfa_otp_guard WHERE rowid IN
      (SELECT rowid FROM cloudmfa_otp_guard WHERE expires_at <= @now LIMIT ${PURGE_PER_WRITE})`);
  const guardExpire = q('UPDATE cloudmfa_otp_guard SET expires_at = @expiresAt WHERE org = @org AND enrolment_id = @id');
  const outboxInsert = q(`INSERT OR IGNORE INTO cloudmfa_audit_outbox (org, entry_key, at, kind, enrolment_id, user_id, detail)
      VALUES (@org, @key, @now, @kind, @enrolmentId, @userId, @detail)`);
  const outboxList = q('SELECT * FROM cloudmfa_audit_outbox WHERE org = @org ORDER BY at, entry_key LIMIT @limit');
  const outboxDelete = q('DELETE FROM cloudmfa_audit_outbox WHERE org = @org AND entry_key = @key AND enrolment_id = @enrolmentId');
  // The two statements of every verification run raw, with positional parameters (the driver
  // binds and answers them with the least work; `excluded.last_used_at` is the time where it is
  // needed twice). A forgotten guard (expires_at <= now) is taken as absent by the statement
  // itself: such a row never accepted a step (so no drift and no last use either), and each
  // statement rewrites it as a fresh one (docs/storage.md 5.2). `OR FAIL`: no statement journal
  // (a copy of every page the statement changes); a statement that fails throws, and the runner
  // rolls back the whole operation, so its partial change goes with it (_runner.ts).
  // The whole verify-and-consume in one statement: insert the first use, or advance last_step
  // only when not locked (or forgotten) and strictly greater. Parameters: org, id, step, drift,
  // now, unlock, unlock.
  const guardConsume = q(`INSERT OR FAIL INTO cloudmfa_otp_guard
      (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at)
      VALUES (?, ?, ?, 0, NULL, ?, ?)
      ON CONFLICT (org, enrolment_id) DO UPDATE SET
        last_step = excluded.last_step, failures = 0, locked_until = NULL,
        drift = coalesce(excluded.drift, drift), last_used_at = excluded.last_used_at, expires_at = NULL
      WHERE (expires_at <= excluded.last_used_at OR locked_until IS NULL OR locked_until <= excluded.last_used_at
          OR (? IS NOT NULL AND locked_until <= ?))
        AND (last_step IS NULL OR last_step < excluded.last_step)
      RETURNING ${GUARD_COLUMNS.join(', ')}`).raw(true);
  // The count of a failure (a forgotten guard counts from zero again); with a gate time
  // (attempt), only when not locked at it: no row back means locked. Parameters: org, id, now,
  // now, now, gate, gate, now.
  const guardFail = q(`INSERT OR FAIL INTO cloudmfa_otp_guard
      (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at)
      VALUES (?, ?, NULL, 1, NULL, NULL, NULL)
      ON CONFLICT (org, enrolment_id) DO UPDATE SET
        failures = CASE WHEN expires_at <= ? THEN 1 ELSE failures + 1 END,
        locked_until = CASE WHEN expires_at <= ? THEN NULL ELSE locked_until END,
        expires_at = CASE WHEN expires_at <= ? THEN NULL ELSE expires_at END
      WHERE ? IS NULL OR locked_until IS NULL OR locked_until <= ? OR expires_at <= ?
      RETURNING ${GUARD_COLUMNS.join(', ')}`).raw(true);
  const guardLock = q(`UPDATE cloudmfa_otp_guard SET locked_until = max(coalesce(locked_until, 0), @until)
      WHERE org = @org AND enrolment_id = @id RETURNING *`);
  const guardReset = q(`UPDATE cloudmfa_otp_guard SET failures = 0, locked_until = NULL
      WHERE org = @org AND enrolment_id = @id AND (expires_at IS NULL OR expires_at > @now)`);

  /**
   * `recordFailure`'s write, inside the runner's transaction: the count, the lock it earns, the
   * guard's expiry and, when the policy forgets (the only writes that add forgettable rows), the
   * purge of forgotten guards. With `gate` (attempt), a guard locked at `t` is left as it is and
   * `null` answered.
   */
  const count = (id: string, p: ThrottlePolicy, t: number, gate: boolean): OtpGuardState | null => {
    const g = gate ? t : null;
    const values = guardFail.get(org, id, t, t, t, g, g, t) as unknown[] | undefined;
    if (!values) return null;
    let row = rowOf(GUARD_COLUMNS, values);
    const delay = throttleDelay(p, row.failures as number);
    if (delay > 0) row = guardLock.get({ org, id, until: t + delay }) as Row;
    const state = toGuard(row);
    const expiresAt = guardExpiry(p, { now: t, lockedUntil: state.lockedUntil, lastStep: state.lastStep });
    if (expiresAt !== row.expires_at) guardExpire.run({ org, id, expiresAt });
    if (p.forgetAfterMs !== undefined) guardPurge.run({ now: t });
    return state;
  };

  return {
    get: async (id) => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      return runner.read(() => {
        const row = guardGet.get({ org, id, now: t }) as Row | undefined;
        return row ? toGuard(row) : null;
      });
    },
    consume: async (id, step, opts) => {
      const t = now();
      const { drift, unlock, audit: entry } = normalizeConsume(id, step, opts);
      // This organisation's own log object, and only it, takes the entry directly (docs/storage.md section 5).
      const direct = entry !== null && opts?.auditLog === audit.log;
      return runner.write((): ConsumeResult => {
        const u = unlock ?? null;
        const values = guardConsume.get(org, id, step, drift ?? null, t, u, u) as unknown[] | undefined;
        if (values) {
          const state = toGuard(rowOf(GUARD_COLUMNS, values));
          if (entry && direct) return { ok: true, state, logged: audit.insert(entry, t) };
          if (entry) outboxInsert.run({ ...entry, org, now: t });
          return { ok: true, state };
        }
        const cur = toGuard(guardRaw.get({ org, id }) as Row);
        if (cur.lockedUntil !== null && t < cur.lockedUntil && (unlock === undefined || cur.lockedUntil > unlock)) {
          return { ok: false, reason: 'locked', lockedUntil: cur.lockedUntil, failures: cur.failures };
        }
        return { ok: false, reason: 'replayed', lastStep: cur.lastStep as number };
      });
    },
    recordFailure: async (id, policy) => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      assertThrottlePolicy(policy);
      const p = { ...policy };
      return runner.write(() => count(id, p, t, false) as OtpGuardState);
    },
    attempt: async (id, policy) => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      assertThrottlePolicy(policy);
      const p = { ...policy };
      return runner.write((): AttemptResult => {
        const state = count(id, p, t, true);
        if (state) return { ok: true, state };
        // Not counted: the lock refused it (read in the same transaction, nothing written).
        const cur = toGuard(guardRaw.get({ org, id }) as Row);
        return { ok: false, reason: 'locked', lockedUntil: cur.lockedUntil as number, failures: cur.failures };
      });
    },
    reset: async (id) => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      return runner.write(() => {
        guardReset.run({ org, id, now: t });
      });
    },
    listPendingAudit: async (options) => {
      now();
      const limit = resolveLimit(options?.limit, 'limit');
      return runner.read(() => (outboxList.all({ org, limit }) as Row[]).map(toPending));
    },
    settleAudit: async (entry) => {
      now();
      const { key, enrolmentId } = normalizeSettle(entry);
      return runner.write(() => {
        outboxDelete.run({ org, key, enrolmentId });
      });
    },
  };
}

function toPending(r: Row): PendingAuditEntry {
  return {
    key: r.entry_key as string,
    kind: r.kind as string,
    enrolmentId: r.enrolment_id as string,
    userId: (r.user_id as string | null) ?? null,
    detail: parseJsonObject(r.detail, 'detail'),
    at: r.at as number,
  };
}
