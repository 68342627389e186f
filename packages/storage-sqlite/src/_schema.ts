import type Database from 'better-sqlite3';
import { storageError } from '@cloudmfa/storage/adapter';
import { asScript, ORGANISATIONS_MIGRATION, WEBHOOKS_MIGRATION } from '@cloudmfa/sqlite-dialect';

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
  // 4: organisations, as @cloudmfa/storage-d1's schema 2 (the same statements).
  asScript(ORGANISATIONS_MIGRATION),
  // 5: webhook state and the forward read, as @cloudmfa/storage-d1's schema 3.
  asScript(WEBHOOKS_MIGRATION),
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
