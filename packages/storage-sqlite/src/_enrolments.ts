import { type EnrolmentStore, type RedeemResult, type RevokeResult, type UpdateEnrolmentResult } from '@cloudmfa/storage';
import { assertStorageId, assertUserId, normalizeCreateEnrolment, normalizeEnrolmentChanges, resolveLimit, storageError } from '@cloudmfa/storage/adapter';
import { bytes, rowOf, type SqliteContext } from './_context.js';
import { type Row, toEnrolment } from '@cloudmfa/sqlite-dialect';

/** The columns `toEnrolment` reads, in the order the raw read answers them. */
const ENROLMENT_COLUMNS = ['id', 'user_id', 'status', 'secret', 'meta', 'created_at', 'expires_at', 'activated_at', 'revoked_at', 'version'] as const;

/** The enrolments part of the SQLite store. */
export function sqliteEnrolments(ctx: SqliteContext): EnrolmentStore {
  // Every statement names the organisation (docs/storage.md, "Organisations").
  const { runner, q, now, org } = ctx;
  const enrInsert = q(`INSERT INTO cloudmfa_enrolments
      (org, id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version)
      VALUES (@org, @id, @userId, 'pending', @secret, @meta, @now, @expiresAt, NULL, NULL, 1)
      ON CONFLICT (org, id) DO NOTHING RETURNING *`);
  const enrGet = q('SELECT * FROM cloudmfa_enrolments WHERE org = @org AND id = @id');
  // `get` (every verification reads its enrolment) runs raw, with positional parameters: org, id.
  const enrRead = q(`SELECT ${ENROLMENT_COLUMNS.join(', ')} FROM cloudmfa_enrolments WHERE org = ? AND id = ?`).raw(true);
  const enrByUser = q('SELECT * FROM cloudmfa_enrolments WHERE org = @org AND user_id = @userId ORDER BY created_at, id LIMIT @limit');
  const enrRedeem = q(`UPDATE cloudmfa_enrolments
      SET status = 'active', activated_at = @now, secret = coalesce(@secret, secret), meta = coalesce(@meta, meta), version = version + 1
      WHERE org = @org AND id = @id AND status = 'pending' AND expires_at > @now RETURNING *`);
  const enrUpdate = q(`UPDATE cloudmfa_enrolments
      SET secret = coalesce(@secret, secret), meta = coalesce(@meta, meta), version = version + 1
      WHERE org = @org AND id = @id AND status <> 'revoked' AND (@expectedVersion IS NULL OR version = @expectedVersion) RETURNING *`);
  const enrRevoke = q(`UPDATE cloudmfa_enrolments
      SET status = 'revoked', revoked_at = @now, secret = zeroblob(0), version = version + 1
      WHERE org = @org AND id = @id AND status <> 'revoked' RETURNING *`);

  return {
    create: async (input) => {
      const t = now();
      const e = normalizeCreateEnrolment(input, t);
      return runner.write(() => {
        const row = enrInsert.get({ ...e, org, secret: bytes(e.secret), now: t }) as Row | undefined;
        if (!row) throw storageError('ERR_STORAGE_CONFLICT', 'an enrolment with this id already exists');
        return toEnrolment(row);
      });
    },
    get: async (id) => {
      now();
      assertStorageId(id, 'id');
      return runner.read(() => {
        const values = enrRead.get(org, id) as unknown[] | undefined;
        return values ? toEnrolment(rowOf(ENROLMENT_COLUMNS, values)) : null;
      });
    },
    listByUser: async (userId, opts) => {
      now();
      assertUserId(userId, 'userId');
      const limit = resolveLimit(opts?.limit, 'limit');
      return runner.read(() => (enrByUser.all({ org, userId, limit }) as Row[]).map((r) => toEnrolment(r)));
    },
    redeem: async (id, changes) => {
      const t = now();
      assertStorageId(id, 'id');
      const c = normalizeEnrolmentChanges(changes, { allowVersion: false });
      return runner.write((): RedeemResult => {
        const row = enrRedeem.get({ org, id, now: t, secret: c.secret ? bytes(c.secret) : null, meta: c.meta ?? null }) as Row | undefined;
        if (row) return { ok: true, enrolment: toEnrolment(row) };
        // Read inside the same immediate transaction: the classification is exact.
        const cur = enrGet.get({ org, id }) as Row | undefined;
        if (!cur) return { ok: false, reason: 'not_found' };
        const enrolment = toEnrolment(cur, true);
        if (enrolment.status === 'active') return { ok: false, reason: 'already_active', enrolment };
        if (enrolment.status === 'revoked') return { ok: false, reason: 'revoked', enrolment };
        return { ok: false, reason: 'expired', enrolment };
      });
    },
    update: async (id, changes) => {
      now();
      assertStorageId(id, 'id');
      const c = normalizeEnrolmentChanges(changes, { allowVersion: true });
      return runner.write((): UpdateEnrolmentResult => {
        const row = enrUpdate.get({
          org,
          id,
          secret: c.secret ? bytes(c.secret) : null,
          meta: c.meta ?? null,
          expectedVersion: c.expectedVersion ?? null,
        }) as Row | undefined;
        if (row) return { ok: true, enrolment: toEnrolment(row) };
        const cur = enrGet.get({ org, id }) as Row | undefined;
        if (!cur) return { ok: false, reason: 'not_found' };
        if (cur.status === 'revoked') return { ok: false, reason: 'revoked' };
        return { ok: false, reason: 'version_mismatch' };
      });
    },
    revoke: async (id) => {
      const t = now();
      assertStorageId(id, 'id');
      return runner.write((): RevokeResult => {
        const row = enrRevoke.get({ org, id, now: t }) as Row | undefined;
        if (row) return { ok: true, enrolment: toEnrolment(row) };
        return enrGet.get({ org, id }) ? { ok: false, reason: 'already_revoked' } : { ok: false, reason: 'not_found' };
      });
    },
  };
}
