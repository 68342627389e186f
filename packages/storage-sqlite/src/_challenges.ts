import {
  assertStorageId,
  type ChallengeStore,
  type FinalizeResult,
  normalizeCreateChallenge,
  normalizeFinalize,
  resolveLimit,
  storageError,
} from '@cloudmfa/storage';
import { type SqliteContext } from './_context.js';
import { type Row, toChallenge } from './_rows.js';

/** The push challenge part of the SQLite store. */
export function sqliteChallenges(ctx: SqliteContext): ChallengeStore {
  const { runner, q, now } = ctx;
  const chInsert = q(`INSERT INTO cloudmfa_challenges
      (id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome)
      VALUES (@id, @enrolmentId, @userId, 'pending', @now, @expiresAt, NULL, @meta, NULL)
      ON CONFLICT (id) DO NOTHING RETURNING *`);
  const chGet = q('SELECT * FROM cloudmfa_challenges WHERE id = ?');
  const chFinalize = q(`UPDATE cloudmfa_challenges SET status = @status, finalized_at = @now, outcome = @outcome
      WHERE id = @id AND status = 'pending' AND expires_at > @now RETURNING *`);
  const chPending = q(`SELECT * FROM cloudmfa_challenges
      WHERE enrolment_id = ? AND status = 'pending' AND expires_at > ?
      ORDER BY created_at DESC, id DESC LIMIT ?`);

  return {
    create: async (input) => {
      const t = now();
      const c = normalizeCreateChallenge(input, t);
      return runner.write(() => {
        const row = chInsert.get({ ...c, now: t }) as Row | undefined;
        if (!row) throw storageError('ERR_STORAGE_CONFLICT', 'a challenge with this id already exists');
        return toChallenge(row, t);
      });
    },
    get: async (id) => {
      const t = now();
      assertStorageId(id, 'id');
      return runner.read(() => {
        const row = chGet.get(id) as Row | undefined;
        return row ? toChallenge(row, t) : null;
      });
    },
    finalize: async (id, transition) => {
      const t = now();
      assertStorageId(id, 'id');
      const f = normalizeFinalize(transition);
      return runner.write((): FinalizeResult => {
        const row = chFinalize.get({ id, now: t, status: f.status, outcome: f.outcome }) as Row | undefined;
        if (row) return { ok: true, challenge: toChallenge(row, t) };
        const cur = chGet.get(id) as Row | undefined;
        if (!cur) return { ok: false, reason: 'not_found' };
        const challenge = toChallenge(cur, t);
        if (cur.status === 'pending') return { ok: false, reason: 'expired', challenge };
        return { ok: false, reason: 'already_final', status: challenge.status as 'approved', challenge };
      });
    },
    listPending: async (enrolmentId, opts) => {
      const t = now();
      assertStorageId(enrolmentId, 'enrolmentId');
      const limit = resolveLimit(opts?.limit, 'limit');
      return runner.read(() => (chPending.all(enrolmentId, t, limit) as Row[]).map((r) => toChallenge(r, t)));
    },
  };
}
