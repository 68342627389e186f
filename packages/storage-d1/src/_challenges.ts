import { type ChallengeStore, type CreateChallengeResult, type FinalizeResult } from '@cloudmfa/storage';
import { assertStorageId, assertUserId, normalizeCreateChallenge, normalizeFinalize, normalizePauseUser, resolveLimit, storageError } from '@cloudmfa/storage/adapter';
import type { D1Context } from './_context.js';
import { toChallenge } from '@cloudmfa/sqlite-dialect';

// The pause and the pending count are conditions of the insert itself: one statement, so a
// concurrent pauseUser or create cannot slip between the check and the write.
const INSERT = `INSERT INTO cloudmfa_challenges
    (org, id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome)
    SELECT $ORG, ?1, ?2, ?3, 'pending', ?4, ?5, NULL, ?6, NULL
    WHERE NOT EXISTS (SELECT 1 FROM cloudmfa_push_pause WHERE org = $ORG AND user_id = ?3 AND paused_until > ?4)
      AND (?7 IS NULL OR (SELECT count(*) FROM cloudmfa_challenges WHERE org = $ORG AND user_id = ?3 AND status = 'pending' AND expires_at > ?4) < ?7)
    ON CONFLICT (org, id) DO NOTHING RETURNING *`;
const GET = 'SELECT * FROM cloudmfa_challenges WHERE org = $ORG AND id = ?1';
const FINALIZE = `UPDATE cloudmfa_challenges SET status = ?3, finalized_at = ?2, outcome = ?4
    WHERE org = $ORG AND id = ?1 AND status = 'pending' AND expires_at > ?2 RETURNING *`;
const PAUSE_GET = 'SELECT paused_until FROM cloudmfa_push_pause WHERE org = $ORG AND user_id = ?1';
const PAUSE_SET = `INSERT INTO cloudmfa_push_pause (org, user_id, paused_until) VALUES ($ORG, ?1, ?2)
    ON CONFLICT (org, user_id) DO UPDATE SET paused_until = max(paused_until, excluded.paused_until) RETURNING paused_until`;
const PAUSE_DELETE = 'DELETE FROM cloudmfa_push_pause WHERE org = $ORG AND user_id = ?1';
const PENDING_COUNT = `SELECT count(*) AS n FROM cloudmfa_challenges WHERE org = $ORG AND user_id = ?1 AND status = 'pending' AND expires_at > ?2`;
const USER_CANCEL = `UPDATE cloudmfa_challenges SET status = 'cancelled', finalized_at = ?2, outcome = ?3
    WHERE org = $ORG AND user_id = ?1 AND status = 'pending' AND expires_at > ?2`;
const PENDING = `SELECT * FROM cloudmfa_challenges
    WHERE org = $ORG AND enrolment_id = ?1 AND status = 'pending' AND expires_at > ?2
    ORDER BY created_at DESC, id DESC LIMIT ?3`;

/** The push challenge part of the D1 store. */
export function d1Challenges(ctx: D1Context): ChallengeStore {
  const { st, batch, batchResults, now } = ctx;
  return {
    create: async (input) => {
      const t = now();
      const c = normalizeCreateChallenge(input, t);
      // The insert and the reads that explain a refusal: one transaction.
      const [won, paused, count, existing] = await batch([
        st(INSERT, c.id, c.enrolmentId, c.userId, t, c.expiresAt, c.meta, c.maxPending),
        st(PAUSE_GET, c.userId),
        st(PENDING_COUNT, c.userId, t),
        st('SELECT id FROM cloudmfa_challenges WHERE org = $ORG AND id = ?1', c.id),
      ]);
      if (won?.[0]) return { ok: true, challenge: toChallenge(won[0], t) } satisfies CreateChallengeResult;
      const until = paused?.[0]?.paused_until;
      if (typeof until === 'number' && t < until) return { ok: false, reason: 'paused', pausedUntil: until };
      const pending = count?.[0]?.n;
      if (c.maxPending !== null && typeof pending === 'number' && pending >= c.maxPending) return { ok: false, reason: 'too_many_pending', pending };
      if (existing?.[0]) throw storageError('ERR_STORAGE_CONFLICT', 'a challenge with this id already exists');
      throw storageError('ERR_STORAGE_UNAVAILABLE', 'd1 refused a challenge insert without a reason');
    },
    get: async (id) => {
      const t = now();
      assertStorageId(id, 'id');
      const [rows] = await batch([st(GET, id)]);
      return rows?.[0] ? toChallenge(rows[0], t) : null;
    },
    finalize: async (id, transition) => {
      const t = now();
      assertStorageId(id, 'id');
      const f = normalizeFinalize(transition);
      const [won, cur] = await batch([st(FINALIZE, id, t, f.status, f.outcome), st(GET, id)]);
      if (won?.[0]) return { ok: true, challenge: toChallenge(won[0], t) } satisfies FinalizeResult;
      if (!cur?.[0]) return { ok: false, reason: 'not_found' };
      const challenge = toChallenge(cur[0], t);
      if (cur[0].status === 'pending') return { ok: false, reason: 'expired', challenge };
      return { ok: false, reason: 'already_final', status: challenge.status as 'approved', challenge };
    },
    listPending: async (enrolmentId, opts) => {
      const t = now();
      assertStorageId(enrolmentId, 'enrolmentId');
      const limit = resolveLimit(opts?.limit, 'limit');
      const [rows] = await batch([st(PENDING, enrolmentId, t, limit)]);
      return (rows ?? []).map((r) => toChallenge(r, t));
    },
    pauseUser: async (userId, options) => {
      const t = now();
      const p = normalizePauseUser(userId, options);
      const [set, cancel] = await batchResults([st(PAUSE_SET, p.userId, p.until), st(USER_CANCEL, p.userId, t, p.outcome)]);
      const pausedUntil = (set?.results?.[0] as { paused_until?: unknown } | undefined)?.paused_until;
      if (typeof pausedUntil !== 'number') throw storageError('ERR_STORAGE_CORRUPT', 'a stored pause row does not decode');
      return { pausedUntil, cancelled: cancel?.meta.changes ?? 0 };
    },
    getPause: async (userId) => {
      const t = now();
      assertUserId(userId, 'userId');
      const [rows] = await batch([st(PAUSE_GET, userId)]);
      const until = rows?.[0]?.paused_until;
      return typeof until === 'number' && t < until ? until : null;
    },
    resumeUser: async (userId) => {
      now();
      assertUserId(userId, 'userId');
      await batch([st(PAUSE_DELETE, userId)]);
    },
  };
}
