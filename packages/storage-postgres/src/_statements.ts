import { type Statement, statement } from './_pg.js';

// Every statement of the store for one schema and one organisation. `s` is the quoted,
// validated schema name and `o` the organisation id as a SQL literal (validated: 1..63 of
// [a-z0-9-], so it cannot end the literal): they are the only things ever spliced into SQL
// text; every value is a bound parameter. Every statement names the organisation
// (docs/storage.md, "Organisations").

const ENROLMENT_COLUMNS = `id, user_id, status, encode(secret, 'hex') AS secret, meta, created_at, expires_at,
  activated_at, revoked_at, version`;
// For failure results: the secret never leaves the database on a refused operation.
const ENROLMENT_COLUMNS_NO_SECRET = `id, user_id, status, '' AS secret, meta, created_at, expires_at,
  activated_at, revoked_at, version`;
const GUARD_COLUMNS = 'enrolment_id, last_step, failures, locked_until, drift, last_used_at';
const CHALLENGE_COLUMNS = 'id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome';
const AUDIT_COLUMNS = 'seq, at, kind, enrolment_id, user_id, detail';
/** Forgotten throttle guards one failure count removes at most: more than it can add. */
const PURGE_PER_WRITE = 8;

/**
 * The throttle curve of docs/storage.md section 5 (`throttleDelay`) in SQL, for the failure
 * count `f`. Parameters: $3 freeFailures, $4 baseDelayMs, $5 maxDelayMs, $6 lockoutFailures,
 * $7 lockoutMs. numeric arithmetic is exact here: base * 2^k is exact in a double too, and the
 * LEAST bounds the result by maxDelayMs before the cast.
 */
const delay = (f: string) => `(CASE
    WHEN ${f} >= $6::bigint THEN $7::bigint
    WHEN ${f} > $3::bigint THEN LEAST($5::numeric, $4::numeric * power(2::numeric, LEAST(${f} - $3::bigint - 1, 52)))::bigint
    ELSE 0::bigint
  END)`;

/** A guard forgotten at `$2` (now): it counts as never touched. */
const FORGOTTEN = '(g.expires_at IS NOT NULL AND g.expires_at <= $2::bigint)';
const FAILURES = `(CASE WHEN ${FORGOTTEN} THEN 1 ELSE g.failures + 1 END)`;
const LOCK = `(CASE
      WHEN ${delay(FAILURES)} > 0 THEN GREATEST(CASE WHEN ${FORGOTTEN} THEN 0 ELSE COALESCE(g.locked_until, 0) END, $2::bigint + ${delay(FAILURES)})
      WHEN ${FORGOTTEN} THEN NULL
      ELSE g.locked_until
    END)`;

export function buildStatements(s: string, o: string) {
  const enrolments = `${s}.cloudmfa_enrolments`;
  const guard = `${s}.cloudmfa_otp_guard`;
  const challenges = `${s}.cloudmfa_challenges`;
  return {
    schemaVersion: statement(`SELECT max(version) AS version FROM ${s}.cloudmfa_migrations`),

    enrolmentCreate: statement(`INSERT INTO ${enrolments}
  (org, id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version)
VALUES (${o}, $1, $2, 'pending', $3::bytea, $4::json, $5::bigint, $6::bigint, NULL, NULL, 1)
ON CONFLICT (org, id) DO NOTHING
RETURNING ${ENROLMENT_COLUMNS}`),
    enrolmentGet: statement(`SELECT ${ENROLMENT_COLUMNS} FROM ${enrolments} WHERE org = ${o} AND id = $1`),
    enrolmentGetNoSecret: statement(`SELECT ${ENROLMENT_COLUMNS_NO_SECRET} FROM ${enrolments} WHERE org = ${o} AND id = $1`),
    enrolmentList: statement(`SELECT ${ENROLMENT_COLUMNS} FROM ${enrolments}
WHERE org = ${o} AND user_id = $1 ORDER BY created_at, id LIMIT $2::integer`),
    enrolmentRedeem: statement(`UPDATE ${enrolments}
SET status = 'active', activated_at = $2::bigint, secret = COALESCE($3::bytea, secret),
    meta = COALESCE($4::json, meta), version = version + 1
WHERE org = ${o} AND id = $1 AND status = 'pending' AND expires_at > $2::bigint
RETURNING ${ENROLMENT_COLUMNS}`),
    enrolmentUpdate: statement(`UPDATE ${enrolments}
SET secret = COALESCE($2::bytea, secret), meta = COALESCE($3::json, meta), version = version + 1
WHERE org = ${o} AND id = $1 AND status <> 'revoked' AND ($4::bigint IS NULL OR version = $4::bigint)
RETURNING ${ENROLMENT_COLUMNS}`),
    enrolmentRevoke: statement(`UPDATE ${enrolments}
SET status = 'revoked', revoked_at = $2::bigint, secret = ''::bytea, version = version + 1
WHERE org = ${o} AND id = $1 AND status <> 'revoked'
RETURNING ${ENROLMENT_COLUMNS}`),

    guardGet: statement(`SELECT ${GUARD_COLUMNS} FROM ${guard} WHERE org = ${o} AND enrolment_id = $1 AND (expires_at IS NULL OR expires_at > $2::bigint)`),
    guardConsumeBatch: statement(`SELECT r_index AS idx, r_outcome AS outcome, r_last_step AS last_step,
  r_failures AS failures, r_locked_until AS locked_until, r_drift AS drift, r_last_used_at AS last_used_at
FROM ${s}.cloudmfa_otp_consume_org_batch(${o}, $1::text[], $2::bigint[], $3::integer[], $4::bigint[], $5::bigint[],
  $6::text[], $7::text[], $8::text[], $9::text[], $10::json[])`),
    // One statement: count the failure (from zero again when the guard is forgotten), set the
    // lock and the new expiry ($8 forgetAfterMs, NULL: never), and remove a few other
    // forgotten guards (docs/storage.md 5.2).
    guardRecordFailure: statement(`WITH purged AS (
  DELETE FROM ${guard} WHERE (org, enrolment_id) IN (
    SELECT org, enrolment_id FROM ${guard} WHERE expires_at <= $2::bigint AND NOT (org = ${o} AND enrolment_id = $1) LIMIT ${PURGE_PER_WRITE}
    FOR UPDATE SKIP LOCKED)
)
INSERT INTO ${guard} AS g
  (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
VALUES (${o}, $1, NULL, 1, CASE WHEN ${delay('1::bigint')} > 0 THEN $2::bigint + ${delay('1::bigint')} END, NULL, NULL,
  CASE WHEN $8::bigint IS NOT NULL THEN $2::bigint + ${delay('1::bigint')} + $8::bigint END)
ON CONFLICT (org, enrolment_id) DO UPDATE
SET failures = ${FAILURES},
    locked_until = ${LOCK},
    expires_at = CASE WHEN $8::bigint IS NULL OR g.last_step IS NOT NULL THEN NULL
      ELSE GREATEST($2::bigint, COALESCE(${LOCK}, 0)) + $8::bigint END
RETURNING ${GUARD_COLUMNS}`),
    guardReset: statement(`UPDATE ${guard} SET failures = 0, locked_until = NULL WHERE org = ${o} AND enrolment_id = $1 AND (expires_at IS NULL OR expires_at > $2::bigint)`),
    outboxList: statement(`SELECT entry_key, at, kind, enrolment_id, user_id, detail FROM ${s}.cloudmfa_audit_outbox
WHERE org = ${o} ORDER BY at, entry_key LIMIT $1::integer`),
    outboxDelete: statement(`DELETE FROM ${s}.cloudmfa_audit_outbox WHERE org = ${o} AND entry_key = $1 AND enrolment_id = $2`),

    challengeCreate: statement(`SELECT r_outcome AS outcome, r_paused_until AS paused_until, r_pending AS pending
FROM ${s}.cloudmfa_challenge_create_org(${o}, $1, $2, $3, $4::bigint, $5::bigint, $6::json, $7::integer)`),
    pauseUser: statement(`SELECT r_paused_until AS paused_until, r_cancelled AS cancelled
FROM ${s}.cloudmfa_push_pause_user_org(${o}, $1, $2::bigint, $3::bigint, $4::json)`),
    pauseGet: statement(`SELECT paused_until FROM ${s}.cloudmfa_push_pause WHERE org = ${o} AND user_id = $1`),
    pauseDelete: statement(`UPDATE ${s}.cloudmfa_push_pause SET paused_until = 0 WHERE org = ${o} AND user_id = $1`),
    challengeGet: statement(`SELECT ${CHALLENGE_COLUMNS} FROM ${challenges} WHERE org = ${o} AND id = $1`),
    challengeFinalize: statement(`UPDATE ${challenges}
SET status = $2, finalized_at = $3::bigint, outcome = $4::json
WHERE org = ${o} AND id = $1 AND status = 'pending' AND expires_at > $3::bigint
RETURNING ${CHALLENGE_COLUMNS}`),
    challengeListPending: statement(`SELECT ${CHALLENGE_COLUMNS} FROM ${challenges}
WHERE org = ${o} AND enrolment_id = $1 AND status = 'pending' AND expires_at > $2::bigint
ORDER BY created_at DESC, id DESC LIMIT $3::integer`),

    // The organisation's advisory lock, shared, before the seq is taken (the CTE is read before
    // any row is inserted), held to commit: what makes audit.follow's order final (migration 7).
    auditAppend: statement(`WITH follow_lock AS (SELECT pg_advisory_xact_lock_shared(${s}.cloudmfa_audit_follow_key(${o})))
INSERT INTO ${s}.cloudmfa_audit (org, at, kind, enrolment_id, user_id, detail, entry_key)
SELECT ${o}, $1::bigint, $2, $3, $4, $5::json, $6 FROM follow_lock ON CONFLICT (org, entry_key) DO NOTHING RETURNING seq`),
    auditByKey: statement(`SELECT ${AUDIT_COLUMNS} FROM ${s}.cloudmfa_audit WHERE org = ${o} AND entry_key = $1`),
  };
}

/** The audit query's filters that are present; each combination is its own statement. */
export interface AuditFilters {
  enrolmentId: boolean;
  userId: boolean;
  from: boolean;
  to: boolean;
  after: boolean;
}

/**
 * The audit query for one combination of filters (at most 32 statements per schema), so
 * each gets a plan that uses its index instead of a generic `$1 IS NULL OR ...` plan.
 * Parameters, in order: [enrolmentId] [userId] [from] [to] [afterAt, afterSeq] limit.
 */
export function auditQueryStatement(s: string, o: string, f: AuditFilters): Statement {
  const where: string[] = [`org = ${o}`];
  let n = 0;
  const p = () => `$${++n}`;
  if (f.enrolmentId) where.push(`enrolment_id = ${p()}`);
  if (f.userId) where.push(`user_id = ${p()}`);
  if (f.from) where.push(`at >= ${p()}::bigint`);
  if (f.to) where.push(`at < ${p()}::bigint`);
  if (f.after) where.push(`(at, seq) < (${p()}::bigint, ${p()}::bigint)`);
  return statement(`SELECT ${AUDIT_COLUMNS} FROM ${s}.cloudmfa_audit
WHERE ${where.join(' AND ')}
ORDER BY at DESC, seq DESC LIMIT ${p()}::integer`);
}

const ORGANISATION_COLUMNS = 'id, issuer, origin, policy, created_at, updated_at, version';

/** The statements of the organisation records (not scoped: the records are the scopes' list). */
export function organisationStatements(s: string) {
  const t = `${s}.cloudmfa_organisations`;
  return {
    create: statement(`INSERT INTO ${t} (id, issuer, origin, policy, created_at, updated_at, version)
VALUES ($1, $2, $3, $4::json, $5::bigint, $5::bigint, 1) ON CONFLICT (id) DO NOTHING RETURNING ${ORGANISATION_COLUMNS}`),
    get: statement(`SELECT ${ORGANISATION_COLUMNS} FROM ${t} WHERE id = $1`),
    update: statement(`UPDATE ${t}
SET issuer = COALESCE($3, issuer), origin = CASE WHEN $4::boolean THEN $5 ELSE origin END, policy = COALESCE($6::json, policy),
    updated_at = $2::bigint, version = version + 1
WHERE id = $1 AND ($7::bigint IS NULL OR version = $7::bigint)
RETURNING ${ORGANISATION_COLUMNS}`),
    list: statement(`SELECT ${ORGANISATION_COLUMNS} FROM ${t} WHERE $1::text IS NULL OR id > $1 ORDER BY id LIMIT $2::integer`),
  };
}
