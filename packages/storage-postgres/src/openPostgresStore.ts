import { type AuditEvent, type AuditLog, type ChallengeStore, DEFAULT_ORGANISATION_ID, type EnrolmentStore, type JsonObject, type OrganisationScope, type OrganisationStore, type OtpGuardStore, type ThrottlePolicy } from '@cloudmfa/storage';
import { assertOrganisationId, normalizeConsume, normalizeCreateOrganisation, normalizeOrganisationChanges, normalizeOrganisationList, normalizeSettle, organisationFromRow, scopeCache } from '@cloudmfa/storage/adapter';
import { assertStorageId, assertThrottlePolicy, assertUserId, type NormalizedAuditEvent, type NormalizedPendingAudit, createdChallenge, encodeAuditCursor, normalizeAuditEvent, normalizeAuditQuery, normalizeCreateChallenge, normalizeCreateEnrolment, normalizeEnrolmentChanges, normalizeFinalize, normalizePauseUser, readClock, resolveLimit, storageError } from '@cloudmfa/storage/adapter';
import { byOrgAndId, createBatcher } from './_batcher.js';
import { LATEST_VERSION } from './_migrations.js';
import { assertPool, resolveClock, resolveSchema } from './_options.js';
import { type Row, run, type Statement } from './_pg.js';
import { int, text, toChallenge, toEnrolment, toEvent, toGuard, toPending } from './_rows.js';
import { auditQueryStatement, batchStatements, buildStatements, organisationStatements } from './_statements.js';
import type { PostgresStore, PostgresStoreOptions } from './types.js';
import { postgresFollow, postgresWebhooks } from './_webhooks.js';

// The organisation id as a SQL literal: validated by the caller (scopeCache) to 1..63 of
// [a-z0-9-], checked again here, so it cannot end the literal.
const orgLiteral = (org: string) => {
  assertOrganisationId(org, 'organisationId');
  return `'${org}'`;
};
const corrupt = (message: string) => storageError('ERR_STORAGE_CORRUPT', message);
// Uint8Array -> Buffer view (no copy): pg sends Buffers as bytea.
const bytea = (b: Uint8Array | undefined) => (b === undefined ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * Opens an `MfaStore` (from `@cloudmfa/storage`) on the caller's `pg.Pool`, in `schema`. Checks once that the
 * schema is at {@link POSTGRES_SCHEMA_VERSION} (run {@link migrate} first); never changes the
 * schema. Every atomic operation is one SQL statement (`INSERT ... ON CONFLICT`, `UPDATE ...
 * WHERE ... RETURNING`, or the `cloudmfa_otp_consume` function), so two servers racing on the
 * same code, redemption or push answer cannot both win, and a dropped connection never leaves
 * a half-applied change. Times come from `clock`, never from the database. Consumes, attempts
 * and failure counts that arrive together (one event-loop turn, any organisations) share one
 * statement and one commit (group commit; each is still decided by its own conditional
 * upsert), and so do the reads `enrolments.get` and `guard.get`; a consume whose `auditLog` is
 * this store's own audit log appends the entry in its transaction and answers `logged`. See
 * docs/storage-postgres.md section 3.
 *
 * Rejects with `ERR_STORAGE_INVALID` for bad options, `ERR_STORAGE_UNAVAILABLE` when the
 * server cannot be reached or the schema is missing or older, and `ERR_STORAGE_CORRUPT` when
 * the schema is newer than this release. `close()` does not end the pool: the caller owns it.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on('error', (err) => log.warn('idle postgres client failed', { code: (err as { code?: string }).code }));
 * await migrate({ pool, schema: 'cloudmfa' });
 * const store = await openPostgresStore({ pool, schema: 'cloudmfa' });
 * const r = await store.guard.consume(enrolmentId, step);
 * if (!r.ok) return { ok: false, reason: r.reason }; // 'replayed' | 'locked'
 * ```
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  if (typeof options !== 'object' || options === null) throw storageError('ERR_STORAGE_INVALID', '"options" expected an object');
  assertPool(options.pool, ['query']);
  const { schema, quoted } = resolveSchema(options.schema);
  const clock = resolveClock(options.clock);
  const pool = options.pool;
  const schemaVersion = buildStatements(quoted, orgLiteral(DEFAULT_ORGANISATION_ID)).schemaVersion;
  let closed = false;

  const version = await run(pool, schemaVersion, [], 'schema check');
  const v = version[0]?.version ?? null;
  if (v === null) throw storageError('ERR_STORAGE_UNAVAILABLE', 'the PostgreSQL schema is not migrated: run migrate({ pool, schema })');
  const found = int({ version: v }, 'version');
  if (found > LATEST_VERSION) throw corrupt('the PostgreSQL schema is newer than this release of @cloudmfa/storage-postgres');
  if (found < LATEST_VERSION) throw storageError('ERR_STORAGE_UNAVAILABLE', 'the PostgreSQL schema is older than this release: run migrate({ pool, schema })');

  // Every method: closed check, then the clock, then validation (all before any I/O).
  const op = async <T>(body: (now: number) => Promise<T>): Promise<T> => {
    if (closed) throw storageError('ERR_STORAGE_UNAVAILABLE', 'the store is closed');
    return body(readClock(clock));
  };
  const q = (stmt: Statement, values: unknown[], what: string): Promise<Row[]> => run(pool, stmt, values, what);
  // The batches of one event-loop turn, for every organisation (docs/storage-postgres.md
  // section 3): the reads a verification makes, and the guard writes (group commit).
  const batch = batchStatements(quoted);
  const readEnrolment = createBatcher<{ org: string; id: string }>((b) =>
    q(batch.enrolmentGet, [b.map((r) => r.org), b.map((r) => r.id)], 'enrolment read'),
  );
  const readGuard = createBatcher<{ org: string; id: string; now: number }>((b) =>
    q(batch.guardGet, [b.map((r) => r.org), b.map((r) => r.id), b.map((r) => r.now)], 'guard read'),
  );
  const count = createBatcher<{ org: string; id: string; now: number; policy: ThrottlePolicy; ifUnlocked: boolean }>(
    (b) =>
      q(
        batch.guardCount,
        [
          b.map((r) => r.org),
          b.map((r) => r.id),
          b.map((r) => r.now),
          b.map((r) => r.policy.freeFailures),
          b.map((r) => r.policy.baseDelayMs),
          b.map((r) => r.policy.maxDelayMs),
          b.map((r) => r.policy.lockoutFailures),
          b.map((r) => r.policy.lockoutMs),
          b.map((r) => r.policy.forgetAfterMs ?? null),
          b.map((r) => r.ifUnlocked),
        ],
        'guard failure',
      ),
    byOrgAndId,
  );
  const consume = createBatcher<{
    org: string;
    id: string;
    step: number;
    drift: number | null;
    now: number;
    unlock: number | null;
    audit: NormalizedPendingAudit | null;
    log: boolean;
  }>(
    (b) =>
      q(
        batch.guardConsume,
        [
          b.map((r) => r.org),
          b.map((r) => r.id),
          b.map((r) => r.step),
          b.map((r) => r.drift),
          b.map((r) => r.now),
          b.map((r) => r.unlock),
          b.map((r) => r.audit?.key ?? null),
          b.map((r) => r.audit?.kind ?? null),
          b.map((r) => r.audit?.userId ?? null),
          b.map((r) => r.audit?.detail ?? null),
          b.map((r) => r.log),
        ],
        'guard consume',
      ),
    byOrgAndId,
  );
  // Appends (migration 8's batch), sorted by organisation then key so that two calls moving the same
  // outbox entries insert their keys in one order (an unkeyed append sorts after the keyed ones
  // of its organisation and keeps its arrival order among them: appends in one call are
  // concurrent, nothing orders them).
  const append = createBatcher<{ org: string; now: number; event: NormalizedAuditEvent }>(
    (b) =>
      q(
        batch.auditAppend,
        [
          b.map((r) => r.org),
          b.map((r) => r.now),
          b.map((r) => r.event.kind),
          b.map((r) => r.event.enrolmentId),
          b.map((r) => r.event.userId),
          b.map((r) => r.event.detail),
          b.map((r) => r.event.key),
        ],
        'audit append',
      ),
    (a, b) => byOrgAndId({ org: a.org, id: a.event.key ?? '\uffff' }, { org: b.org, id: b.event.key ?? '\uffff' }),
  );
  const counted = (row: Row | undefined, id: string) => {
    if (!row) throw corrupt('the failure count returned no row');
    const outcome = text(row, 'outcome');
    const state = toGuard({ ...row, enrolment_id: id });
    if (outcome === 'ok') return { ok: true as const, state };
    if (outcome === 'locked' && state.lockedUntil !== null) {
      return { ok: false as const, reason: 'locked' as const, lockedUntil: state.lockedUntil, failures: state.failures };
    }
    throw corrupt('the failure count returned an unexpected outcome');
  };

  // One set of statements per organisation, each naming it in every statement (docs/storage.md, "Organisations").
  const scope = (org: string): OrganisationScope => {
    const sql = buildStatements(quoted, orgLiteral(org));

    const enrolments: EnrolmentStore = {
      create: (input) =>
        op(async (now) => {
          const e = normalizeCreateEnrolment(input, now);
          const rows = await q(sql.enrolmentCreate, [e.id, e.userId, bytea(e.secret), e.meta, now, e.expiresAt], 'enrolment create');
          // ON CONFLICT DO NOTHING returned nothing: the id exists; it was not touched.
          if (!rows[0]) throw storageError('ERR_STORAGE_CONFLICT', 'an enrolment with this id already exists');
          return toEnrolment(rows[0]);
        }),
      get: (id) =>
        op(async () => {
          assertStorageId(id, 'id');
          const row = await readEnrolment({ org, id });
          return row ? toEnrolment(row) : null;
        }),
      listByUser: (userId, options) =>
        op(async () => {
          assertUserId(userId, 'userId');
          const limit = resolveLimit(options?.limit, 'limit');
          return (await q(sql.enrolmentList, [userId, limit], 'enrolment list')).map(toEnrolment);
        }),
      redeem: (id, changes) =>
        op(async (now) => {
          assertStorageId(id, 'id');
          const { secret, meta } = normalizeEnrolmentChanges(changes, { allowVersion: false });
          const rows = await q(sql.enrolmentRedeem, [id, now, bytea(secret), meta ?? null], 'enrolment redeem');
          if (rows[0]) return { ok: true as const, enrolment: toEnrolment(rows[0]) };
          // Refused. The states only move forward, so this later read shows the state that
          // refused the update or a later one (docs/storage.md section 4); same `now`.
          const after = await q(sql.enrolmentGetNoSecret, [id], 'enrolment read');
          if (!after[0]) return { ok: false as const, reason: 'not_found' as const };
          const enrolment = toEnrolment(after[0]);
          if (enrolment.status === 'active') return { ok: false as const, reason: 'already_active' as const, enrolment };
          if (enrolment.status === 'revoked') return { ok: false as const, reason: 'revoked' as const, enrolment };
          if (now >= enrolment.expiresAt) return { ok: false as const, reason: 'expired' as const, enrolment };
          throw corrupt('an enrolment refused redemption while pending and unexpired');
        }),
      update: (id, changes) =>
        op(async () => {
          assertStorageId(id, 'id');
          const { secret, meta, expectedVersion } = normalizeEnrolmentChanges(changes, { allowVersion: true });
          const rows = await q(sql.enrolmentUpdate, [id, bytea(secret), meta ?? null, expectedVersion ?? null], 'enrolment update');
          if (rows[0]) return { ok: true as const, enrolment: toEnrolment(rows[0]) };
          const after = await q(sql.enrolmentGetNoSecret, [id], 'enrolment read');
          if (!after[0]) return { ok: false as const, reason: 'not_found' as const };
          const status = toEnrolment(after[0]).status;
          if (status === 'revoked') return { ok: false as const, reason: 'revoked' as const };
          if (expectedVersion !== undefined) return { ok: false as const, reason: 'version_mismatch' as const };
          throw corrupt('an enrolment refused an update while not revoked');
        }),
      revoke: (id) =>
        op(async (now) => {
          assertStorageId(id, 'id');
          const rows = await q(sql.enrolmentRevoke, [id, now], 'enrolment revoke');
          if (rows[0]) return { ok: true as const, enrolment: toEnrolment(rows[0]) };
          const after = await q(sql.enrolmentGetNoSecret, [id], 'enrolment read');
          return after[0] ? { ok: false as const, reason: 'already_revoked' as const } : { ok: false as const, reason: 'not_found' as const };
        }),
    };

    const guard: OtpGuardStore = {
      get: (id) =>
        op(async (now) => {
          assertStorageId(id, 'enrolmentId');
          const row = await readGuard({ org, id, now });
          return row ? toGuard(row) : null;
        }),
      consume: (id, step, options) =>
        op(async (now) => {
          const { drift, unlock, audit: entry } = normalizeConsume(id, step, options);
          // The direct path (docs/storage.md 5): only for this very scope's audit log, by identity.
          const log = entry !== null && options?.auditLog === audit;
          const row = await consume({ org, id, step, drift: drift ?? null, now, unlock: unlock ?? null, audit: entry, log });
          if (!row) throw corrupt('the consume batch returned no row for an element');
          const outcome = text(row, 'outcome');
          const state = toGuard({ ...row, enrolment_id: id });
          if (outcome === 'ok') {
            if (!log) return { ok: true as const, state };
            const logged: AuditEvent = toEvent({
              seq: row.a_seq ?? null,
              at: row.a_at ?? null,
              kind: row.a_kind ?? null,
              enrolment_id: row.a_enrolment_id ?? null,
              user_id: row.a_user_id ?? null,
              detail: row.a_detail ?? null,
            });
            return { ok: true as const, state, logged };
          }
          if (outcome === 'locked' && state.lockedUntil !== null) {
            return { ok: false as const, reason: 'locked' as const, lockedUntil: state.lockedUntil, failures: state.failures };
          }
          if (outcome === 'replayed' && state.lastStep !== null) return { ok: false as const, reason: 'replayed' as const, lastStep: state.lastStep };
          throw corrupt('the consume function returned an unexpected outcome');
        }),
      attempt: (id, policy) =>
        op(async (now) => {
          assertStorageId(id, 'enrolmentId');
          assertThrottlePolicy(policy);
          return counted(await count({ org, id, now, policy, ifUnlocked: true }), id);
        }),
      recordFailure: (id, policy) =>
        op(async (now) => {
          assertStorageId(id, 'enrolmentId');
          assertThrottlePolicy(policy);
          const r = counted(await count({ org, id, now, policy, ifUnlocked: false }), id);
          if (!r.ok) throw corrupt('a failure count was refused');
          return r.state;
        }),
      reset: (id) =>
        op(async (now) => {
          assertStorageId(id, 'enrolmentId');
          await q(sql.guardReset, [id, now], 'guard reset');
        }),
      listPendingAudit: (options) =>
        op(async () => {
          const limit = resolveLimit(options?.limit, 'limit');
          return (await q(sql.outboxList, [limit], 'outbox list')).map(toPending);
        }),
      settleAudit: (entry) =>
        op(async () => {
          const { key, enrolmentId } = normalizeSettle(entry);
          await q(sql.outboxDelete, [key, enrolmentId], 'outbox settle');
        }),
    };

    const challenges: ChallengeStore = {
      create: (input) =>
        op(async (now) => {
          const c = normalizeCreateChallenge(input, now);
          const rows = await q(sql.challengeCreate, [c.id, c.enrolmentId, c.userId, now, c.expiresAt, c.meta, c.maxPending], 'challenge create');
          const row = rows[0];
          if (!row) throw corrupt('the challenge create function returned no row');
          const outcome = text(row, 'outcome');
          if (outcome === 'paused') return { ok: false as const, reason: 'paused' as const, pausedUntil: int(row, 'paused_until') };
          if (outcome === 'too_many_pending') return { ok: false as const, reason: 'too_many_pending' as const, pending: int(row, 'pending') };
          if (outcome === 'conflict') throw storageError('ERR_STORAGE_CONFLICT', 'a challenge with this id already exists');
          if (outcome !== 'ok') throw corrupt('the challenge create function returned an unexpected outcome');
          return { ok: true as const, challenge: createdChallenge(c, now) };
        }),
      pauseUser: (userId, options) =>
        op(async (now) => {
          const p = normalizePauseUser(userId, options);
          const rows = await q(sql.pauseUser, [p.userId, p.until, now, p.outcome], 'push pause');
          if (!rows[0]) throw corrupt('the push pause function returned no row');
          return { pausedUntil: int(rows[0], 'paused_until'), cancelled: int(rows[0], 'cancelled') };
        }),
      getPause: (userId) =>
        op(async (now) => {
          assertUserId(userId, 'userId');
          const rows = await q(sql.pauseGet, [userId], 'push pause read');
          const until = rows[0] ? int(rows[0], 'paused_until') : 0;
          return now < until ? until : null;
        }),
      resumeUser: (userId) =>
        op(async () => {
          assertUserId(userId, 'userId');
          await q(sql.pauseDelete, [userId], 'push resume');
        }),
      get: (id) =>
        op(async (now) => {
          assertStorageId(id, 'id');
          const rows = await q(sql.challengeGet, [id], 'challenge read');
          return rows[0] ? toChallenge(rows[0], now) : null;
        }),
      finalize: (id, transition) =>
        op(async (now) => {
          assertStorageId(id, 'id');
          const { status, outcome } = normalizeFinalize(transition);
          const rows = await q(sql.challengeFinalize, [id, status, now, outcome], 'challenge finalize');
          if (rows[0]) return { ok: true as const, challenge: toChallenge(rows[0], now) };
          // Refused: pending -> final is one-way, so the later read is race-free (see redeem).
          const after = await q(sql.challengeGet, [id], 'challenge read');
          if (!after[0]) return { ok: false as const, reason: 'not_found' as const };
          const stored = text(after[0], 'status');
          const challenge = toChallenge(after[0], now);
          if (stored !== 'pending') {
            return { ok: false as const, reason: 'already_final' as const, status: challenge.status as 'approved' | 'denied' | 'cancelled' | 'expired', challenge };
          }
          if (now >= challenge.expiresAt) return { ok: false as const, reason: 'expired' as const, challenge };
          throw corrupt('a challenge refused its answer while pending and unexpired');
        }),
      listPending: (enrolmentId, options) =>
        op(async (now) => {
          assertStorageId(enrolmentId, 'enrolmentId');
          const limit = resolveLimit(options?.limit, 'limit');
          return (await q(sql.challengeListPending, [enrolmentId, now, limit], 'challenge list')).map((r) => toChallenge(r, now));
        }),
    };

    const auditStatements = new Map<string, Statement>();
    const audit: AuditLog = {
      append: (event) =>
        op(async (now) => {
          const row = await append({ org, now, event: normalizeAuditEvent(event) });
          if (!row) throw corrupt('the audit append returned no row');
          return toEvent(row);
        }),
      query: (query) =>
        op(async () => {
          const f = normalizeAuditQuery(query);
          const filters = {
            enrolmentId: f.enrolmentId !== undefined,
            userId: f.userId !== undefined,
            from: f.from !== undefined,
            to: f.to !== undefined,
            after: f.after !== null,
          };
          const key = JSON.stringify(filters);
          let stmt = auditStatements.get(key);
          if (!stmt) {
            stmt = auditQueryStatement(quoted, orgLiteral(org), filters);
            auditStatements.set(key, stmt);
          }
          const values: unknown[] = [];
          if (f.enrolmentId !== undefined) values.push(f.enrolmentId);
          if (f.userId !== undefined) values.push(f.userId);
          if (f.from !== undefined) values.push(f.from);
          if (f.to !== undefined) values.push(f.to);
          if (f.after) values.push(f.after.at, f.after.seq);
          // One row more than the page tells whether there is a next page.
          values.push(f.limit + 1);
          const rows = await q(stmt, values, 'audit query');
          const page = rows.slice(0, f.limit).map(toEvent);
          const last = page[page.length - 1];
          return {
            events: page,
            cursor: rows.length > f.limit && last ? encodeAuditCursor({ at: last.at, seq: Number(last.id) }) : null,
          };
        }),
      follow: postgresFollow(quoted, orgLiteral(org), op, q),
    };
    return { enrolments, guard, challenges, audit, webhooks: postgresWebhooks(quoted, orgLiteral(org), op, q) };
  };
  const root = scope(DEFAULT_ORGANISATION_ID);
  const orgSql = organisationStatements(quoted);
  const organisations: OrganisationStore = {
    create: (input) =>
      op(async (now) => {
        const o = normalizeCreateOrganisation(input);
        const rows = await q(orgSql.create, [o.id, o.issuer, o.origin, o.policy, now], 'organisation create');
        if (!rows[0]) throw storageError('ERR_STORAGE_CONFLICT', 'an organisation with this id already exists');
        return organisationFromRow(rows[0]);
      }),
    get: (id) =>
      op(async () => {
        assertOrganisationId(id, 'id');
        const rows = await q(orgSql.get, [id], 'organisation read');
        return rows[0] ? organisationFromRow(rows[0]) : null;
      }),
    update: (id, changes) =>
      op(async (now) => {
        assertOrganisationId(id, 'id');
        const c = normalizeOrganisationChanges(changes);
        const rows = await q(
          orgSql.update,
          [id, now, c.issuer ?? null, c.origin !== undefined, c.origin ?? null, c.policy ?? null, c.expectedVersion ?? null],
          'organisation update',
        );
        if (rows[0]) return { ok: true as const, organisation: organisationFromRow(rows[0]) };
        const after = await q(orgSql.get, [id], 'organisation read');
        return after[0] ? { ok: false as const, reason: 'version_mismatch' as const } : { ok: false as const, reason: 'not_found' as const };
      }),
    list: (options) =>
      op(async () => {
        const { limit, after } = normalizeOrganisationList(options);
        const rows = (await q(orgSql.list, [after, limit + 1], 'organisation list')).map(organisationFromRow);
        const page = rows.slice(0, limit);
        return { organisations: page, cursor: rows.length > limit ? page[page.length - 1]!.id : null };
      }),
  };

  return {
    schema,
    ...root,
    organisations,
    forOrganisation: scopeCache(root, scope),
    close: async () => {
      closed = true;
    },
  };
}

