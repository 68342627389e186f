import { type Statement, statement } from './_pg.js';

// Every statement of the store for one schema and one organisation. `s` is the quoted,
// validated schema name and `o` the organisation id as a SQL literal (validated: 1..63 of
// [a-z0-9-], so it cannot end the literal): they are the only things ever spliced into SQL
// text; every value is a bound parameter. Every statement names the organisation
// (docs/storage.md, "Organisations"): spliced in, or (the batch statements, which serve every
// organisation) as a bound array element that the store takes from the scope it was called on.

const ENROLMENT_COLUMNS = `id, user_id, status, encode(secret, 'hex') AS secret, meta, created_at, expires_at,
  activated_at, revoked_at, version`;
// For failure results: the secret never leaves the database on a refused operation.
const ENROLMENT_COLUMNS_NO_SECRET = `id, user_id, status, '' AS secret, meta, created_at, expires_at,
  activated_at, revoked_at, version`;
const GUARD_COLUMNS = 'enrolment_id, last_step, failures, locked_until, drift, last_used_at';
const CHALLENGE_COLUMNS = 'id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome';
const AUDIT_COLUMNS = 'seq, at, kind, enrolment_id, user_id, detail';

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

  };
}

/**
 * The batch statements of the store (one set per schema, for every organisation: each element
 * names its organisation, which the store took from the scope it was called on). Each returns
 * `idx`, the 1-based position of its element, with every row.
 */
export function batchStatements(s: string) {
  return {
    // Reads: one element per (org, id); a key found nothing returns no row.
    enrolmentGet: statement(`SELECT k.idx, e.* FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(org, id, idx)
CROSS JOIN LATERAL (SELECT ${ENROLMENT_COLUMNS} FROM ${s}.cloudmfa_enrolments WHERE org = k.org AND id = k.id) AS e`),
    guardGet: statement(`SELECT k.idx, g.* FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS k(org, id, now, idx)
CROSS JOIN LATERAL (SELECT ${GUARD_COLUMNS} FROM ${s}.cloudmfa_otp_guard
  WHERE org = k.org AND enrolment_id = k.id AND (expires_at IS NULL OR expires_at > k.now)) AS g`),
    guardCount: statement(`SELECT r_index AS idx, r_outcome AS outcome, r_last_step AS last_step,
  r_failures AS failures, r_locked_until AS locked_until, r_drift AS drift, r_last_used_at AS last_used_at
FROM ${s}.cloudmfa_otp_count_batch($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
  $8::bigint[], $9::bigint[], $10::boolean[])`),
    guardConsume: statement(`SELECT r_index AS idx, r_outcome AS outcome, r_last_step AS last_step,
  r_failures AS failures, r_locked_until AS locked_until, r_drift AS drift, r_last_used_at AS last_used_at,
  r_a_seq AS a_seq, r_a_at AS a_at, r_a_kind AS a_kind, r_a_enrolment_id AS a_enrolment_id, r_a_user_id AS a_user_id, r_a_detail AS a_detail
FROM ${s}.cloudmfa_otp_consume_log_batch($1::text[], $2::text[], $3::bigint[], $4::integer[], $5::bigint[], $6::bigint[],
  $7::text[], $8::text[], $9::text[], $10::json[], $11::boolean[])`),
    // The audit log's appends (migration 8's batch): the event, or the stored one for a key the log holds.
    auditAppend: statement(`SELECT r_index AS idx, r_seq AS seq, r_at AS at, r_kind AS kind, r_enrolment_id AS enrolment_id,
  r_user_id AS user_id, r_detail AS detail
FROM ${s}.cloudmfa_audit_append_batch($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::json[], $7::text[])`),
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
