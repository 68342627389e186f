import { type ChallengeStore, type CreateChallengeResult, type FinalizeResult } from '@cloudmfa/storage';
import { assertStorageId, assertUserId, normalizeCreateChallenge, normalizeFinalize, normalizePauseUser, resolveLimit, storageError } from '@cloudmfa/storage/adapter';
import { type SqliteContext } from './_context.js';
import { type Row, toChallenge } from '@cloudmfa/sqlite-dialect';

/** The push challenge part of the SQLite store. */
export function sqliteChallenges(ctx: SqliteContext): ChallengeStore {
  // Every statement names the organisation (docs/storage.md, "Organisations").
  const { runner, q, now, org } = ctx;
  const chInsert = q(`INSERT INTO cloudmfa_challenges
      (org, id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome)
      VALUES (@org, @id, @enrolmentId, @userId, 'pending', @now, @expiresAt, NULL, @meta, NULL)
      ON CONFLICT (org, id) DO NOTHING RETURNING *`);
  const chGet = q('SELECT * FROM cloudmfa_challenges WHERE org = @org AND id = @id');
  const chFinalize = q(`UPDATE cloudmfa_challenges SET status = @status, finalized_at = @now, outcome = @outcome
      WHERE org = @org AND id = @id AND status = 'pending' AND expires_at > @now RETURNING *`);
  const pauseGet = q('SELECT paused_until FROM cloudmfa_push_pause WHERE org = @org AND user_id = @userId');
  const pauseSet = q(`INSERT INTO cloudmfa_push_pause (org, user_id, paused_until) VALUES (@org, @userId, @until)
      ON CONFLICT (org, user_id) DO UPDATE SET paused_until = max(paused_until, excluded.paused_until) RETURNING paused_until`);
  const pauseDelete = q('DELETE FROM cloudmfa_push_pause WHERE org = @org AND user_id = @userId');
  const userPendingCount = q(`SELECT count(*) AS n FROM cloudmfa_challenges WHERE org = @org AND user_id = @userId AND status = 'pending' AND expires_at > @now`);
  const userCancel = q(`UPDATE cloudmfa_challenges SET status = 'cancelled', finalized_at = @now, outcome = @outcome
      WHERE org = @org AND user_id = @userId AND status = 'pending' AND expires_at > @now`);
  const chPending = q(`SELECT * FROM cloudmfa_challenges
      WHERE org = @org AND enrolment_id = @enrolmentId AND status = 'pending' AND expires_at > @now
      ORDER BY created_at DESC, id DESC LIMIT @limit`);

  return {
    create: async (input) => {
      const t = now();
      const c = normalizeCreateChallenge(input, t);
      return runner.write((): CreateChallengeResult => {
        // One immediate transaction: the pause and the count are exact against pauseUser.
        const paused = pauseGet.get({ org, userId: c.userId }) as { paused_until: number } | undefined;
        if (paused && t < paused.paused_until) return { ok: false, reason: 'paused', pausedUntil: paused.paused_until };
        if (c.maxPending !== null) {
          const pending = (userPendingCount.get({ org, userId: c.userId, now: t }) as { n: number }).n;
          if (pending >= c.maxPending) return { ok: false, reason: 'too_many_pending', pending };
        }
        const row = chInsert.get({ org, id: c.id, enrolmentId: c.enrolmentId, userId: c.userId, expiresAt: c.expiresAt, meta: c.meta, now: t }) as Row | undefined;
        if (!row) throw storageError('ERR_STORAGE_CONFLICT', 'a challenge with this id already exists');
        return { ok: true, challenge: toChallenge(row, t) };
      });
    },
    get: async (id) => {
      const t = now();
      assertStorageId(id, 'id');
      return runner.read(() => {
        const row = chGet.get({ org, id }) as Row | undefined;
        return row ? toChallenge(row, t) : null;
      });
    },
    finalize: async (id, transition) => {
      const t = now();
      assertStorageId(id, 'id');
      const f = normalizeFinalize(transition);
      return runner.write((): FinalizeResult => {
        const row = chFinalize.get({ org, id, now: t, status: f.status, outcome: f.outcome }) as Row | undefined;
        if (row) return { ok: true, challenge: toChallenge(row, t) };
        const cur = chGet.get({ org, id }) as Row | undefined;
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
      return runner.read(() => (chPending.all({ org, enrolmentId, now: t, limit }) as Row[]).map((r) => toChallenge(r, t)));
    },
    pauseUser: async (userId, options) => {
      const t = now();
      const p = normalizePauseUser(userId, options);
      return runner.write(() => {
        const pausedUntil = (pauseSet.get({ org, userId: p.userId, until: p.until }) as { paused_until: number }).paused_until;
        const cancelled = userCancel.run({ org, userId: p.userId, now: t, outcome: p.outcome }).changes;
        return { pausedUntil, cancelled };
      });
    },
    getPause: async (userId) => {
      const t = now();
      assertUserId(userId, 'userId');
      return runner.read(() => {
        const row = pauseGet.get({ org, userId }) as { paused_until: number } | undefined;
        return row && t < row.paused_until ? row.paused_until : null;
      });
    },
    resumeUser: async (userId) => {
      now();
      assertUserId(userId, 'userId');
      return runner.write(() => {
        pauseDelete.run({ org, userId });
      });
    },
  };
}
