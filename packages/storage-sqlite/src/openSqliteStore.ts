import Database from 'better-sqlite3';
import { type Clock, systemClock } from '@cloudmfa/core';
import { type AuditEvent, type ChallengeRecord, type ConsumeResult, type EnrolmentRecord, type FinalizeResult, type MfaStore, type OtpGuardState, type RedeemResult, type RevokeResult, type UpdateEnrolmentResult, throttleDelay } from '@cloudmfa/storage';
import { assertDrift, assertStep, assertStorageId, assertThrottlePolicy, assertUserId, encodeAuditCursor, normalizeAuditEvent, normalizeAuditQuery, normalizeCreateChallenge, normalizeCreateEnrolment, normalizeEnrolmentChanges, normalizeFinalize, parseJsonObject, readClock, resolveLimit, storageError } from '@cloudmfa/storage/adapter';
import { Runner } from './_runner.js';
import { migrate } from './_schema.js';

/**
 * Options of {@link openSqliteStore}.
 *
 * @example
 * ```ts
 * const o: SqliteStoreOptions = { path: './cloudmfa.db', synchronous: 'full', busyTimeoutMs: 5000 };
 * ```
 */
export interface SqliteStoreOptions {
  /** The database file (created when missing), or `':memory:'` for a throwaway store. */
  path: string;
  /** The clock for every recorded time and expiry decision (ms); default `systemClock`. */
  clock?: Clock;
  /**
   * `'full'` (default): every commit is fsynced, so an accepted code survives power loss.
   * `'normal'`: survives a killed process but may lose the last commits on power loss (WAL
   * `synchronous=NORMAL`); faster when operations do not arrive concurrently.
   */
  synchronous?: 'full' | 'normal';
  /** How long to wait for another process's write lock before `ERR_STORAGE_UNAVAILABLE`; default 5000 ms. */
  busyTimeoutMs?: number;
}

/**
 * An {@link MfaStore} on one SQLite file.
 *
 * @example
 * ```ts
 * const store: SqliteStore = openSqliteStore({ path: './cloudmfa.db' });
 * console.log(store.path);
 * ```
 */
export interface SqliteStore extends MfaStore {
  /** The file this store writes (as given). */
  readonly path: string;
}

type Row = Record<string, unknown>;

const ENROLMENT_STATUSES = new Set(['pending', 'active', 'revoked']);
const CHALLENGE_STATUSES = new Set(['pending', 'approved', 'denied', 'cancelled', 'expired']);

/**
 * Opens (creating and migrating when needed) the embedded SQLite store: one file, WAL,
 * `synchronous=FULL`, `secure_delete` on. Every atomic operation is one conditional
 * statement inside a `BEGIN IMMEDIATE` transaction, so several processes can share the
 * file: of many concurrent `guard.consume` calls for one step, across processes, exactly
 * one succeeds. Concurrent writes from one process share a commit (group commit).
 *
 * @example
 * ```ts
 * import { openSqliteStore } from '@cloudmfa/storage-sqlite';
 * const store = openSqliteStore({ path: './cloudmfa.db' });
 * const r = await store.guard.consume(enrolmentId, step);
 * await store.close();
 * ```
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  if (typeof options !== 'object' || options === null || typeof options.path !== 'string' || options.path.length === 0) {
    throw storageError('ERR_STORAGE_INVALID', '"path" expected a non-empty string');
  }
  const sync = options.synchronous ?? 'full';
  if (sync !== 'full' && sync !== 'normal') throw storageError('ERR_STORAGE_INVALID', '"synchronous" expected full or normal');
  const busy = options.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busy) || busy < 0 || busy > 600_000) {
    throw storageError('ERR_STORAGE_INVALID', '"busyTimeoutMs" expected an integer in [0, 600000]');
  }
  const clock = options.clock ?? systemClock;

  let db: Database.Database;
  try {
    db = new Database(options.path);
  } catch (e) {
    throw storageError('ERR_STORAGE_UNAVAILABLE', 'cannot open the sqlite database', e);
  }
  try {
    db.pragma(`busy_timeout = ${busy}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    // Overwrite deleted content (revoked secrets) instead of leaving it in free pages.
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (e) {
    db.close();
    if ((e as { name?: string }).name === 'CloudMfaError') throw e;
    throw storageError('ERR_STORAGE_UNAVAILABLE', 'cannot prepare the sqlite database', e);
  }
  return buildStore(db, options.path, clock);
}

function buildStore(db: Database.Database, path: string, clock: Clock): SqliteStore {
  const runner = new Runner(db);
  const q = (sql: string) => db.prepare(sql);
  const now = () => {
    if (runner.isClosed) throw storageError('ERR_STORAGE_UNAVAILABLE', 'the store is closed');
    return readClock(clock);
  };

  // --- enrolments -------------------------------------------------------------------------
  const enrInsert = q(`INSERT INTO cloudmfa_enrolments
      (id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version)
      VALUES (@id, @userId, 'pending', @secret, @meta, @now, @expiresAt, NULL, NULL, 1)
      ON CONFLICT (id) DO NOTHING RETURNING *`);
  const enrGet = q('SELECT * FROM cloudmfa_enrolments WHERE id = ?');
  const enrByUser = q('SELECT * FROM cloudmfa_enrolments WHERE user_id = ? ORDER BY created_at, id LIMIT ?');
  const enrRedeem = q(`UPDATE cloudmfa_enrolments
      SET status = 'active', activated_at = @now, secret = coalesce(@secret, secret), meta = coalesce(@meta, meta), version = version + 1
      WHERE id = @id AND status = 'pending' AND expires_at > @now RETURNING *`);
  const enrUpdate = q(`UPDATE cloudmfa_enrolments
      SET secret = coalesce(@secret, secret), meta = coalesce(@meta, meta), version = version + 1
      WHERE id = @id AND status <> 'revoked' AND (@expectedVersion IS NULL OR version = @expectedVersion) RETURNING *`);
  const enrRevoke = q(`UPDATE cloudmfa_enrolments
      SET status = 'revoked', revoked_at = @now, secret = zeroblob(0), version = version + 1
      WHERE id = @id AND status <> 'revoked' RETURNING *`);

  // --- OTP guard --------------------------------------------------------------------------
  const guardGet = q('SELECT * FROM cloudmfa_otp_guard WHERE enrolment_id = ?');
  // The whole verify-and-consume in one statement: insert the first use, or advance
  // last_step only when not locked and strictly greater.
  const guardConsume = q(`INSERT INTO cloudmfa_otp_guard
      (enrolment_id, last_step, failures, locked_until, drift, last_used_at)
      VALUES (@id, @step, 0, NULL, @drift, @now)
      ON CONFLICT (enrolment_id) DO UPDATE SET
        last_step = excluded.last_step, failures = 0, locked_until = NULL,
        drift = coalesce(excluded.drift, drift), last_used_at = excluded.last_used_at
      WHERE (locked_until IS NULL OR locked_until <= @now) AND (last_step IS NULL OR last_step < excluded.last_step)
      RETURNING *`);
  const guardFail = q(`INSERT INTO cloudmfa_otp_guard
      (enrolment_id, last_step, failures, locked_until, drift, last_used_at)
      VALUES (?, NULL, 1, NULL, NULL, NULL)
      ON CONFLICT (enrolment_id) DO UPDATE SET failures = failures + 1 RETURNING *`);
  const guardLock = q(`UPDATE cloudmfa_otp_guard SET locked_until = max(coalesce(locked_until, 0), @until)
      WHERE enrolment_id = @id RETURNING *`);
  const guardReset = q('UPDATE cloudmfa_otp_guard SET failures = 0, locked_until = NULL WHERE enrolment_id = ?');

  // --- challenges -------------------------------------------------------------------------
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

  // --- audit ------------------------------------------------------------------------------
  const auditInsert = q(`INSERT INTO cloudmfa_audit (at, kind, enrolment_id, user_id, detail)
      VALUES (@now, @kind, @enrolmentId, @userId, @detail) RETURNING *`);
  const auditQueries = new Map<string, Database.Statement>();
  const auditQuery = (key: { e: boolean; u: boolean; f: boolean; t: boolean; c: boolean }) => {
    const k = `${+key.e}${+key.u}${+key.f}${+key.t}${+key.c}`;
    let st = auditQueries.get(k);
    if (!st) {
      const where: string[] = [];
      if (key.e) where.push('enrolment_id = @enrolmentId');
      if (key.u) where.push('user_id = @userId');
      if (key.f) where.push('at >= @from');
      if (key.t) where.push('at < @to');
      if (key.c) where.push('(at < @cAt OR (at = @cAt AND seq < @cSeq))');
      st = q(`SELECT * FROM cloudmfa_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
              ORDER BY at DESC, seq DESC LIMIT @limit`);
      auditQueries.set(k, st);
    }
    return st;
  };

  const bytes = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

  return {
    path,
    enrolments: {
      create: async (input) => {
        const t = now();
        const e = normalizeCreateEnrolment(input, t);
        return runner.write(() => {
          const row = enrInsert.get({ ...e, secret: bytes(e.secret), now: t }) as Row | undefined;
          if (!row) throw storageError('ERR_STORAGE_CONFLICT', 'an enrolment with this id already exists');
          return toEnrolment(row);
        });
      },
      get: async (id) => {
        now();
        assertStorageId(id, 'id');
        return runner.read(() => {
          const row = enrGet.get(id) as Row | undefined;
          return row ? toEnrolment(row) : null;
        });
      },
      listByUser: async (userId, opts) => {
        now();
        assertUserId(userId, 'userId');
        const limit = resolveLimit(opts?.limit, 'limit');
        return runner.read(() => (enrByUser.all(userId, limit) as Row[]).map((r) => toEnrolment(r)));
      },
      redeem: async (id, changes) => {
        const t = now();
        assertStorageId(id, 'id');
        const c = normalizeEnrolmentChanges(changes, { allowVersion: false });
        return runner.write((): RedeemResult => {
          const row = enrRedeem.get({ id, now: t, secret: c.secret ? bytes(c.secret) : null, meta: c.meta ?? null }) as Row | undefined;
          if (row) return { ok: true, enrolment: toEnrolment(row) };
          // Read inside the same immediate transaction: the classification is exact.
          const cur = enrGet.get(id) as Row | undefined;
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
            id,
            secret: c.secret ? bytes(c.secret) : null,
            meta: c.meta ?? null,
            expectedVersion: c.expectedVersion ?? null,
          }) as Row | undefined;
          if (row) return { ok: true, enrolment: toEnrolment(row) };
          const cur = enrGet.get(id) as Row | undefined;
          if (!cur) return { ok: false, reason: 'not_found' };
          if (cur.status === 'revoked') return { ok: false, reason: 'revoked' };
          return { ok: false, reason: 'version_mismatch' };
        });
      },
      revoke: async (id) => {
        const t = now();
        assertStorageId(id, 'id');
        return runner.write((): RevokeResult => {
          const row = enrRevoke.get({ id, now: t }) as Row | undefined;
          if (row) return { ok: true, enrolment: toEnrolment(row) };
          return enrGet.get(id) ? { ok: false, reason: 'already_revoked' } : { ok: false, reason: 'not_found' };
        });
      },
    },

    guard: {
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
        return runner.write((): ConsumeResult => {
          const row = guardConsume.get({ id, step, drift: drift ?? null, now: t }) as Row | undefined;
          if (row) return { ok: true, state: toGuard(row) };
          const cur = toGuard(guardGet.get(id) as Row);
          if (cur.lockedUntil !== null && t < cur.lockedUntil) {
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
    },

    challenges: {
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
    },

    audit: {
      append: async (event) => {
        const t = now();
        const e = normalizeAuditEvent(event);
        return runner.write(() => toEvent(auditInsert.get({ ...e, now: t }) as Row));
      },
      query: async (query) => {
        now();
        const nq = normalizeAuditQuery(query);
        const st = auditQuery({
          e: nq.enrolmentId !== undefined,
          u: nq.userId !== undefined,
          f: nq.from !== undefined,
          t: nq.to !== undefined,
          c: nq.after !== null,
        });
        const params: Record<string, unknown> = { limit: nq.limit + 1 };
        if (nq.enrolmentId !== undefined) params.enrolmentId = nq.enrolmentId;
        if (nq.userId !== undefined) params.userId = nq.userId;
        if (nq.from !== undefined) params.from = nq.from;
        if (nq.to !== undefined) params.to = nq.to;
        if (nq.after) {
          params.cAt = nq.after.at;
          params.cSeq = nq.after.seq;
        }
        return runner.read(() => {
          const rows = st.all(params) as Row[];
          const page = rows.slice(0, nq.limit);
          const last = page[page.length - 1];
          return {
            events: page.map(toEvent),
            cursor: rows.length > nq.limit && last ? encodeAuditCursor({ at: last.at as number, seq: last.seq as number }) : null,
          };
        });
      },
    },

    close: async () => {
      runner.close();
    },
  };
}

// --- row decoding: a row that does not decode is ERR_STORAGE_CORRUPT, never a crash ---------

const corrupt = (what: string) => storageError('ERR_STORAGE_CORRUPT', `a stored ${what} row does not decode`);
const int = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw corrupt(what);
  return v;
};
const intOrNull = (v: unknown, what: string): number | null => (v === null ? null : int(v, what));

function toEnrolment(r: Row, wipeSecret = false): EnrolmentRecord {
  if (typeof r.id !== 'string' || typeof r.user_id !== 'string' || !ENROLMENT_STATUSES.has(r.status as string)) throw corrupt('enrolment');
  if (!(r.secret instanceof Uint8Array)) throw corrupt('enrolment');
  return {
    id: r.id,
    userId: r.user_id,
    status: r.status as EnrolmentRecord['status'],
    // A plain Uint8Array copy, not the driver's Buffer.
    secret: wipeSecret ? new Uint8Array(0) : new Uint8Array(r.secret),
    meta: parseJsonObject(r.meta, 'meta'),
    createdAt: int(r.created_at, 'enrolment'),
    expiresAt: int(r.expires_at, 'enrolment'),
    activatedAt: intOrNull(r.activated_at, 'enrolment'),
    revokedAt: intOrNull(r.revoked_at, 'enrolment'),
    version: int(r.version, 'enrolment'),
  };
}

function toGuard(r: Row | undefined): OtpGuardState {
  if (!r || typeof r.enrolment_id !== 'string') throw corrupt('guard');
  return {
    enrolmentId: r.enrolment_id,
    lastStep: intOrNull(r.last_step, 'guard'),
    failures: int(r.failures, 'guard'),
    lockedUntil: intOrNull(r.locked_until, 'guard'),
    drift: intOrNull(r.drift, 'guard'),
    lastUsedAt: intOrNull(r.last_used_at, 'guard'),
  };
}

function toChallenge(r: Row, now: number): ChallengeRecord {
  if (typeof r.id !== 'string' || typeof r.enrolment_id !== 'string' || typeof r.user_id !== 'string') throw corrupt('challenge');
  if (!CHALLENGE_STATUSES.has(r.status as string)) throw corrupt('challenge');
  const expiresAt = int(r.expires_at, 'challenge');
  const expired = r.status === 'pending' && now >= expiresAt;
  return {
    id: r.id,
    enrolmentId: r.enrolment_id,
    userId: r.user_id,
    status: expired ? 'expired' : (r.status as ChallengeRecord['status']),
    createdAt: int(r.created_at, 'challenge'),
    expiresAt,
    finalizedAt: expired ? expiresAt : intOrNull(r.finalized_at, 'challenge'),
    meta: parseJsonObject(r.meta, 'meta'),
    outcome: r.outcome === null ? null : parseJsonObject(r.outcome, 'outcome'),
  };
}

function toEvent(r: Row): AuditEvent {
  if (typeof r.kind !== 'string') throw corrupt('audit');
  const e = r.enrolment_id;
  const u = r.user_id;
  if ((e !== null && typeof e !== 'string') || (u !== null && typeof u !== 'string')) throw corrupt('audit');
  return {
    id: String(int(r.seq, 'audit')),
    at: int(r.at, 'audit'),
    kind: r.kind,
    enrolmentId: e as string | null,
    userId: u as string | null,
    detail: parseJsonObject(r.detail, 'detail'),
  };
}
