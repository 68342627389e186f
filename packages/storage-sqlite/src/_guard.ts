import { type ConsumeResult, type OtpGuardStore, throttleDelay } from '@cloudmfa/storage';
import { assertDrift, assertStep, assertStorageId, assertThrottlePolicy, assertTime } from '@cloudmfa/storage/adapter';
import { type SqliteContext } from './_context.js';
import { type Row, toGuard } from './_rows.js';

/** The OTP guard part of the SQLite store: the whole verify-and-consume is one statement. */
export function sqliteGuard(ctx: SqliteContext): OtpGuardStore {
  const { runner, q, now } = ctx;
  const guardGet = q('SELECT * FROM cloudmfa_otp_guard WHERE enrolment_id = ?');
  // The whole verify-and-consume in one statement: insert the first use, or advance
  // last_step only when not locked and strictly greater.
  const guardConsume = q(`INSERT INTO cloudmfa_otp_guard
      (enrolment_id, last_step, failures, locked_until, drift, last_used_at)
      VALUES (@id, @step, 0, NULL, @drift, @now)
      ON CONFLICT (enrolment_id) DO UPDATE SET
        last_step = excluded.last_step, failures = 0, locked_until = NULL,
        drift = coalesce(excluded.drift, drift), last_used_at = excluded.last_used_at
      WHERE (locked_until IS NULL OR locked_until <= @now OR (@unlock IS NOT NULL AND locked_until <= @unlock)) AND (last_step IS NULL OR last_step < excluded.last_step)
      RETURNING *`);
  const guardFail = q(`INSERT INTO cloudmfa_otp_guard
      (enrolment_id, last_step, failures, locked_until, drift, last_used_at)
      VALUES (?, NULL, 1, NULL, NULL, NULL)
      ON CONFLICT (enrolment_id) DO UPDATE SET failures = failures + 1 RETURNING *`);
  const guardLock = q(`UPDATE cloudmfa_otp_guard SET locked_until = max(coalesce(locked_until, 0), @until)
      WHERE enrolment_id = @id RETURNING *`);
  const guardReset = q('UPDATE cloudmfa_otp_guard SET failures = 0, locked_until = NULL WHERE enrolment_id = ?');

  return {
    get: async (id) => {
      now();
      assertStorageId(id, 'enrolmentId');
      return runner.read(() => {
        const row = guardGet.get(id) as Row | undefined;
        return row ? toGuard(row) : null;
      });
    },
    consume: async (id, step, opts) => {
      const t = now();
      assertStorageId(id, 'enrolmentId');
      assertStep(step, 'step');
      const drift = opts?.drift;
      if (drift !== undefined) assertDrift(drift, 'drift');
      const unlock = opts?.unlockThrough;
      if (unlock !== undefined) assertTime(unlock, 'unlockThrough');
      return runner.write((): ConsumeResult => {
        const row = guardConsume.get({ id, step, drift: drift ?? null, now: t, unlock: unlock ?? null }) as Row | undefined;
        if (row) return { ok: true, state: toGuard(row) };
        const cur = toGuard(guardGet.get(id) as Row);
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
      return runner.write(() => {
        const row = guardFail.get(id) as Row;
        const delay = throttleDelay(p, row.failures as number);
        if (delay <= 0) return toGuard(row);
        return toGuard(guardLock.get({ id, until: t + delay }) as Row);
      });
    },
    reset: async (id) => {
      now();
      assertStorageId(id, 'enrolmentId');
      return runner.write(() => {
        guardReset.run(id);
      });
    },
  };
}
