// The migrations of the SQLite stores that are the same statements on both:
// @cloudmfa/storage-sqlite runs each as one script (schemas 4 and 5), @cloudmfa/storage-d1 as
// one batch of single statements (schemas 2 and 3; D1 prepares one statement at a time). Each
// adapter keeps its own history before them. Never edit a released one: add the next.

/**
 * Organisations (docs/storage.md, "Organisations"). Every row is keyed by its organisation: the
 * tables whose primary key did not hold it are rebuilt with (org, ...) keys, and every row
 * written before lands in the default organisation. The audit log keeps its sequence.
 */
export const ORGANISATIONS_MIGRATION: readonly string[] = [
  `CREATE TABLE cloudmfa_organisations (
    id         TEXT    PRIMARY KEY,
    issuer     TEXT    NOT NULL,
    origin     TEXT,
    policy     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL
  ) STRICT`,
  `CREATE TABLE cloudmfa_enrolments_v4 (
    org          TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    secret       BLOB    NOT NULL,
    meta         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    activated_at INTEGER,
    revoked_at   INTEGER,
    version      INTEGER NOT NULL,
    PRIMARY KEY (org, id)
  ) STRICT`,
  `INSERT INTO cloudmfa_enrolments_v4 (org, id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version)
    SELECT 'default', id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version FROM cloudmfa_enrolments`,
  'DROP TABLE cloudmfa_enrolments',
  'ALTER TABLE cloudmfa_enrolments_v4 RENAME TO cloudmfa_enrolments',
  'CREATE INDEX cloudmfa_enrolments_user ON cloudmfa_enrolments (org, user_id, created_at, id)',
  `CREATE TABLE cloudmfa_otp_guard_v4 (
    org          TEXT    NOT NULL,
    enrolment_id TEXT    NOT NULL,
    last_step    INTEGER,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    drift        INTEGER,
    last_used_at INTEGER,
    expires_at   INTEGER,
    PRIMARY KEY (org, enrolment_id)
  ) STRICT`,
  `INSERT INTO cloudmfa_otp_guard_v4 (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
    SELECT 'default', enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at FROM cloudmfa_otp_guard`,
  'DROP TABLE cloudmfa_otp_guard',
  'ALTER TABLE cloudmfa_otp_guard_v4 RENAME TO cloudmfa_otp_guard',
  'CREATE INDEX cloudmfa_otp_guard_expiry ON cloudmfa_otp_guard (expires_at) WHERE expires_at IS NOT NULL',
  `CREATE TABLE cloudmfa_challenges_v4 (
    org          TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    enrolment_id TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled', 'expired')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    finalized_at INTEGER,
    meta         TEXT    NOT NULL,
    outcome      TEXT,
    PRIMARY KEY (org, id)
  ) STRICT`,
  `INSERT INTO cloudmfa_challenges_v4 (org, id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome)
    SELECT 'default', id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome FROM cloudmfa_challenges`,
  'DROP TABLE cloudmfa_challenges',
  'ALTER TABLE cloudmfa_challenges_v4 RENAME TO cloudmfa_challenges',
  'CREATE INDEX cloudmfa_challenges_enrolment ON cloudmfa_challenges (org, enrolment_id, status, created_at, id)',
  'CREATE INDEX cloudmfa_challenges_user_pending ON cloudmfa_challenges (org, user_id, status, expires_at)',
  `CREATE TABLE cloudmfa_push_pause_v4 (
    org          TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    paused_until INTEGER NOT NULL,
    PRIMARY KEY (org, user_id)
  ) STRICT`,
  `INSERT INTO cloudmfa_push_pause_v4 (org, user_id, paused_until) SELECT 'default', user_id, paused_until FROM cloudmfa_push_pause`,
  'DROP TABLE cloudmfa_push_pause',
  'ALTER TABLE cloudmfa_push_pause_v4 RENAME TO cloudmfa_push_pause',
  `CREATE TABLE cloudmfa_audit_outbox_v4 (
    org          TEXT    NOT NULL,
    entry_key    TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    enrolment_id TEXT,
    user_id      TEXT,
    detail       TEXT    NOT NULL,
    PRIMARY KEY (org, entry_key)
  ) STRICT`,
  `INSERT INTO cloudmfa_audit_outbox_v4 (org, entry_key, at, kind, enrolment_id, user_id, detail)
    SELECT 'default', entry_key, at, kind, enrolment_id, user_id, detail FROM cloudmfa_audit_outbox`,
  'DROP TABLE cloudmfa_audit_outbox',
  'ALTER TABLE cloudmfa_audit_outbox_v4 RENAME TO cloudmfa_audit_outbox',
  'CREATE INDEX cloudmfa_audit_outbox_at ON cloudmfa_audit_outbox (org, at, entry_key)',
  `ALTER TABLE cloudmfa_audit ADD COLUMN org TEXT NOT NULL DEFAULT 'default'`,
  'DROP INDEX cloudmfa_audit_at',
  'DROP INDEX cloudmfa_audit_enrolment',
  'DROP INDEX cloudmfa_audit_user',
  'DROP INDEX cloudmfa_audit_entry_key',
  'CREATE INDEX cloudmfa_audit_at ON cloudmfa_audit (org, at, seq)',
  'CREATE INDEX cloudmfa_audit_enrolment ON cloudmfa_audit (org, enrolment_id, at, seq)',
  'CREATE INDEX cloudmfa_audit_user ON cloudmfa_audit (org, user_id, at, seq)',
  'CREATE UNIQUE INDEX cloudmfa_audit_entry_key ON cloudmfa_audit (org, entry_key) WHERE entry_key IS NOT NULL',
];

/**
 * Webhook delivery state per endpoint of an organisation, written by compare-and-set
 * (docs/storage.md 7.2), and the audit log read forward per organisation (7.1).
 */
export const WEBHOOKS_MIGRATION: readonly string[] = [
  `CREATE TABLE cloudmfa_webhook_state (
    org          TEXT    NOT NULL,
    endpoint_id  TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (org, endpoint_id)
  ) STRICT`,
  'CREATE INDEX cloudmfa_audit_follow ON cloudmfa_audit (org, seq)',
];

/** One migration as a script for a driver that runs several statements at once (better-sqlite3's `exec`). */
export const asScript = (statements: readonly string[]): string => statements.map((s) => `${s};\n`).join('');
