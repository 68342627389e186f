import { type EnrolmentStore, type RedeemResult, type RevokeResult, type UpdateEnrolmentResult } from '@cloudmfa/storage';
import { assertStorageId, assertUserId, normalizeCreateEnrolment, normalizeEnrolmentChanges, resolveLimit, storageError } from '@cloudmfa/storage/adapter';
import type { D1Context } from './_context.js';
import { toEnrolment } from '@cloudmfa/sqlite-dialect';

const INSERT = `INSERT INTO cloudmfa_enrolments
    (org, id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version)
    VALUES ($ORG, ?1, ?2, 'pending', ?3, ?4, ?5, ?6, NULL, NULL, 1)
    ON CONFLICT (org, id) DO NOTHING RETURNING *`;
const GET = 'SELECT * FROM cloudmfa_enrolments WHERE org = $ORG AND id = ?1';
const BY_USER = 'SELECT * FROM cloudmfa_enrolments WHERE org = $ORG AND user_id = ?1 ORDER BY created_at, id LIMIT ?2';
const REDEEM = `UPDATE cloudmfa_enrolments
    SET status = 'active', activated_at = ?2, secret = coalesce(?3, secret), meta = coalesce(?4, meta), version = version + 1
    WHERE org = $ORG AND id = ?1 AND status = 'pending' AND expires_at > ?2 RETURNING *`;
const UPDATE = `UPDATE cloudmfa_enrolments
    SET secret = coalesce(?2, secret), meta = coalesce(?3, meta), version = version + 1
    WHERE org = $ORG AND id = ?1 AND status <> 'revoked' AND (?4 IS NULL OR version = ?4) RETURNING *`;
const REVOKE = `UPDATE cloudmfa_enrolments
    SET status = 'revoked', revoked_at = ?2, secret = zeroblob(0), version = version + 1
    WHERE org = $ORG AND id = ?1 AND status <> 'revoked' RETURNING *`;

/** The enrolments part of the D1 store: each change is one conditional statement, batched with the read that classifies a refusal. */
export function d1Enrolments(ctx: D1Context): EnrolmentStore {
  const { st, batch, now } = ctx;
  return {
    create: async (input) => {
      const t = now();
      const e = normalizeCreateEnrolment(input, t);
      const [rows] = await batch([st(INSERT, e.id, e.userId, e.secret, e.meta, t, e.expiresAt)]);
      if (!rows?.[0]) throw storageError('ERR_STORAGE_CONFLICT', 'an enrolment with this id already exists');
      return toEnrolment(rows[0]);
    },
    get: async (id) => {
      now();
      assertStorageId(id, 'id');
      const [rows] = await batch([st(GET, id)]);
      return rows?.[0] ? toEnrolment(rows[0]) : null;
    },
    listByUser: async (userId, opts) => {
      now();
      assertUserId(userId, 'userId');
      const limit = resolveLimit(opts?.limit, 'limit');
      const [rows] = await batch([st(BY_USER, userId, limit)]);
      return (rows ?? []).map((r) => toEnrolment(r));
    },
    redeem: async (id, changes) => {
      const t = now();
      assertStorageId(id, 'id');
      const c = normalizeEnrolmentChanges(changes, { allowVersion: false });
      const [won, cur] = await batch([st(REDEEM, id, t, c.secret ?? null, c.meta ?? null), st(GET, id)]);
      if (won?.[0]) return { ok: true, enrolment: toEnrolment(won[0]) } satisfies RedeemResult;
      if (!cur?.[0]) return { ok: false, reason: 'not_found' };
      const enrolment = toEnrolment(cur[0], true);
      if (enrolment.status === 'active') return { ok: false, reason: 'already_active', enrolment };
      if (enrolment.status === 'revoked') return { ok: false, reason: 'revoked', enrolment };
      return { ok: false, reason: 'expired', enrolment };
    },
    update: async (id, changes) => {
      now();
      assertStorageId(id, 'id');
      const c = normalizeEnrolmentChanges(changes, { allowVersion: true });
      const [won, cur] = await batch([st(UPDATE, id, c.secret ?? null, c.meta ?? null, c.expectedVersion ?? null), st(GET, id)]);
      if (won?.[0]) return { ok: true, enrolment: toEnrolment(won[0]) } satisfies UpdateEnrolmentResult;
      if (!cur?.[0]) return { ok: false, reason: 'not_found' };
      if (cur[0].status === 'revoked') return { ok: false, reason: 'revoked' };
      return { ok: false, reason: 'version_mismatch' };
    },
    revoke: async (id) => {
      const t = now();
      assertStorageId(id, 'id');
      const [won, cur] = await batch([st(REVOKE, id, t), st('SELECT id FROM cloudmfa_enrolments WHERE org = $ORG AND id = ?1', id)]);
      if (won?.[0]) return { ok: true, enrolment: toEnrolment(won[0]) } satisfies RevokeResult;
      return cur?.[0] ? { ok: false, reason: 'already_revoked' } : { ok: false, reason: 'not_found' };
    },
  };
}
