import type Database from 'better-sqlite3';
import { storageError } from '@cloudmfa/storage/adapter';

// Migrations, applied in order under BEGIN IMMEDIATE on open. Never edit a released one:
// add the next. Timestamps are integer ms from the injected clock, never SQLite's own time.
/** The migrations, in order (exported for the upgrade test of a file written before organisations). */
export const MIGRATIONS: readonly string[] = [
  // 1: the four server stores.
  `
  CREATE TABLE cloudmfa_enrolments (
    id           TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    secret       BLOB    NOT NULL,
    meta         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    activated_at INTEGER,
    revoked_at   INTEGER,
    version      INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX cloudmfa_enrolments_user ON cloudmfa_enrolments (user_id, created_at, id);

  CREATE TABLE cloudmfa_otp_guard (
    enrolment_id TEXT    PRIMARY KEY,
    last_step    INTEGER,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    drift        INTEGER,
    last_used_at INTEGER
  ) STRICT;

  CREATE TABLE cloudmfa_challenges (
    id           TEXT    PRIMARY KEY,
    enrolment_id TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled', 'expired')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    finalized_at INTEGER,
    meta         TEXT    NOT NULL,
    outcome      TEXT
  ) STRICT;
  CREATE INDEX cloudmfa_challenges_enrolment ON cloudmfa_challenges (enrolment_id, status, created_at, id);

  CREATE TABLE cloudmfa_audit (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    enrolment_id TEXT,
    user_id      TEXT,
    detail       TEXT    NOT NULL
  ) STRICT;
  CREATE INDEX cloudmfa_audit_at ON cloudmfa_audit (at, seq);
  CREATE INDEX cloudmfa_audit_enrolment ON cloudmfa_audit (enrolment_id, at, seq);
  CREATE INDEX cloudmfa_audit_user ON cloudmfa_audit (user_id, at, seq);
  -- Append-only, enforced by the database too.
  CREATE TRIGGER cloudmfa_audit_no_update BEFORE UPDATE ON cloudmfa_audit
    BEGIN SELECT RAISE(ABORT, 'cloudmfa_audit is append-only'); END;
  CREATE TRIGGER cloudmfa_audit_no_delete BEFORE DELETE ON cloudmfa_audit
    BEGIN SELECT RAISE(ABORT, 'cloudmfa_audit is append-only'); END;
  `,
  // 2: per-user push pause (challenges.pauseUser) and the per-user pending count.
  `
  CREATE TABLE cloudmfa_push_pause (
    user_id      TEXT    PRIMARY KEY,
    paused_until INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX cloudmfa_challenges_user_pending ON cloudmfa_challenges (user_id, status, expires_at);
  `,
  // 3: forgotten throttle guards (ThrottlePolicy.forgetAfterMs), the audit outbox written with
  // each accepted consume, and the audit log's idempotency key (docs/storage.md 5.2, 5.3).
  `
  ALTER TABLE cloudmfa_otp_guard ADD COLUMN expires_at INTEGER;
  CREATE INDEX cloudmfa_otp_guard_expiry ON cloudmfa_otp_guard (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE cloudmfa_audit_outbox (
    entry_key    TEXT    PRIMARY KEY,
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    enrolment_id TEXT,
    user_id      TEXT,
    detail       TEXT    NOT NULL
  ) STRICT;
  CREATE INDEX cloudmfa_audit_outbox_at ON cloudmfa_audit_outbox (at, entry_key);

  ALTER TABLE cloudmfa_audit ADD COLUMN entry_key TEXT;
  CREATE UNIQUE INDEX cloudmfa_audit_entry_key ON cloudmfa_audit (entry_key) WHERE entry_key IS NOT NULL;
  `,
  // 4: organisations (docs/storage.md, "Organisations"). Every row is keyed by its organisation: the
  // tables whose primary key did not hold it are rebuilt with (org, ...) keys, and every row
  // written before lands in the default organisation. The audit log keeps its sequence.
  `
  CREATE TABLE cloudmfa_organisations (
    id         TEXT    PRIMARY KEY,
    issuer     TEXT    NOT NULL,
    origin     TEXT,
    policy     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE cloudmfa_enrolments_v4 (
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
  ) STRICT;
  INSERT INTO cloudmfa_enrolments_v4 (org, id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version)
    SELECT 'default', id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version FROM cloudmfa_enrolments;
  DROP TABLE cloudmfa_enrolments;
  ALTER TABLE cloudmfa_enrolments_v4 RENAME TO cloudmfa_enrolments;
  CREATE INDEX cloudmfa_enrolments_user ON cloudmfa_enrolments (org, user_id, created_at, id);

  CREATE TABLE cloudmfa_otp_guard_v4 (
    org          TEXT    NOT NULL,
    enrolment_id TEXT    NOT NULL,
    last_step    INTEGER,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    drift        INTEGER,
    last_used_at INTEGER,
    expires_at   INTEGER,
    PRIMARY KEY (org, enrolment_id)
  ) STRICT;
  INSERT INTO cloudmfa_otp_guard_v4 (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
    SELECT 'default', enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at FROM cloudmfa_otp_guard;
  DROP TABLE cloudmfa_otp_guard;
  ALTER TABLE cloudmfa_otp_guard_v4 RENAME TO cloudmfa_otp_guard;
  CREATE INDEX cloudmfa_otp_guard_expiry ON cloudmfa_otp_guard (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE cloudmfa_challenges_v4 (
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
  ) STRICT;
  INSERT INTO cloudmfa_challenges_v4 (org, id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome)
    SELECT 'default', id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome FROM cloudmfa_challenges;
  DROP TABLE cloudmfa_challenges;
  ALTER TABLE cloudmfa_challenges_v4 RENAME TO cloudmfa_challenges;
  CREATE INDEX cloudmfa_challenges_enrolment ON cloudmfa_challenges (org, enrolment_id, status, created_at, id);
  CREATE INDEX cloudmfa_challenges_user_pending ON cloudmfa_challenges (org, user_id, status, expires_at);

  CREATE TABLE cloudmfa_push_pause_v4 (
    org          TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    paused_until INTEGER NOT NULL,
    PRIMARY KEY (org, user_id)
  ) STRICT;
  INSERT INTO cloudmfa_push_pause_v4 (org, user_id, paused_until) SELECT 'default', user_id, paused_until FROM cloudmfa_push_pause;
  DROP TABLE cloudmfa_push_pause;
  ALTER TABLE cloudmfa_push_pause_v4 RENAME TO cloudmfa_push_pause;

  CREATE TABLE cloudmfa_audit_outbox_v4 (
    org          TEXT    NOT NULL,
    entry_key    TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    enrolment_id TEXT,
    user_id      TEXT,
    detail       TEXT    NOT NULL,
    PRIMARY KEY (org, entry_key)
  ) STRICT;
  INSERT INTO cloudmfa_audit_outbox_v4 (org, entry_key, at, kind, enrolment_id, user_id, detail)
    SELECT 'default', entry_key, at, kind, enrolment_id, user_id, detail FROM cloudmfa_audit_outbox;
  DROP TABLE cloudmfa_audit_outbox;
  ALTER TABLE cloudmfa_audit_outbox_v4 RENAME TO cloudmfa_audit_outbox;
  CREATE INDEX cloudmfa_audit_outbox_at ON cloudmfa_audit_outbox (org, at, entry_key);

  ALTER TABLE cloudmfa_audit ADD COLUMN org TEXT NOT NULL DEFAULT 'default';
  DROP INDEX cloudmfa_audit_at;
  DROP INDEX cloudmfa_audit_enrolment;
  DROP INDEX cloudmfa_audit_user;
  DROP INDEX cloudmfa_audit_entry_key;
  CREATE INDEX cloudmfa_audit_at ON cloudmfa_audit (org, at, seq);
  CREATE INDEX cloudmfa_audit_enrolment ON cloudmfa_audit (org, enrolment_id, at, seq);
  CREATE INDEX cloudmfa_audit_user ON cloudmfa_audit (org, user_id, at, seq);
  CREATE UNIQUE INDEX cloudmfa_audit_entry_key ON cloudmfa_audit (org, entry_key) WHERE entry_key IS NOT NULL;
  `,
  // 5: webhook delivery state per endpoint of an organisation, written by compare-and-set
  // (docs/storage.md 7.2), and the audit log read forward per organisation (7.1).
  `
  CREATE TABLE cloudmfa_webhook_state (
    org          TEXT    NOT NULL,
    endpoint_id  TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (org, endpoint_id)
  ) STRICT;
  CREATE INDEX cloudmfa_audit_follow ON cloudmfa_audit (org, seq);
  `,
];

/**
 * The schema version this build of the adapter creates and understands (the row in the
 * `cloudmfa_schema` table). A file with a higher version is refused.
 *
 * @example
 * ```ts
 * db.prepare('SELECT version FROM cloudmfa_schema').get(); // { version: SQLITE_SCHEMA_VERSION }
 * ```
 */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Creates the schema or brings it up to {@link SQLITE_SCHEMA_VERSION}, in one immediate
 * transaction, so two processes opening the same new file do not both migrate it. A file
 * written by a newer adapter is refused with `ERR_STORAGE_CORRUPT`.
 */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS cloudmfa_schema (version INTEGER NOT NULL) STRICT');
    const row = db.prepare('SELECT version FROM cloudmfa_schema').get() as { version: number } | undefined;
    if (!row) db.prepare('INSERT INTO cloudmfa_schema (version) VALUES (0)').run();
    const current = row?.version ?? 0;
    if (current > SQLITE_SCHEMA_VERSION) {
      throw storageError(
        'ERR_STORAGE_CORRUPT',
        `the database has schema version ${current}; this adapter understands up to ${SQLITE_SCHEMA_VERSION}`,
      );
    }
    for (let v = current; v < SQLITE_SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!);
      db.prepare('UPDATE cloudmfa_schema SET version = ?').run(v + 1);
    }
  }).immediate();
}
