import { storageError } from '@cloudmfa/storage/adapter';
import { ORGANISATIONS_MIGRATION, WEBHOOKS_MIGRATION } from '@cloudmfa/sqlite-dialect';
import type { D1Context } from './_context.js';

// Migrations, each a list of single statements (D1 prepares one statement at a time), applied
// in order. The tables are those of @cloudmfa/storage-sqlite's schema (D1 is SQLite). Never edit
// a released one: add the next. Timestamps are integer ms from the injected clock.
/** The migrations, in order (exported for the upgrade test of a database written before organisations). */
export const MIGRATIONS: readonly (readonly string[])[] = [
  // 1: the four server stores, the per-user push pause and the pending count index.
  [
    `CREATE TABLE cloudmfa_enrolments (
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
    ) STRICT`,
    'CREATE INDEX cloudmfa_enrolments_user ON cloudmfa_enrolments (user_id, created_at, id)',
    `CREATE TABLE cloudmfa_otp_guard (
      enrolment_id TEXT    PRIMARY KEY,
      last_step    INTEGER,
      failures     INTEGER NOT NULL,
      locked_until INTEGER,
      drift        INTEGER,
      last_used_at INTEGER,
      expires_at   INTEGER
    ) STRICT`,
    // Forgotten throttle guards (ThrottlePolicy.forgetAfterMs, docs/storage.md 5.2).
    'CREATE INDEX cloudmfa_otp_guard_expiry ON cloudmfa_otp_guard (expires_at) WHERE expires_at IS NOT NULL',
    // The audit outbox written with each accepted consume (docs/storage.md 5.3).
    `CREATE TABLE cloudmfa_audit_outbox (
      entry_key    TEXT    PRIMARY KEY,
      at           INTEGER NOT NULL,
      kind         TEXT    NOT NULL,
      enrolment_id TEXT,
      user_id      TEXT,
      detail       TEXT    NOT NULL
    ) STRICT`,
    'CREATE INDEX cloudmfa_audit_outbox_at ON cloudmfa_audit_outbox (at, entry_key)',
    `CREATE TABLE cloudmfa_challenges (
      id           TEXT    PRIMARY KEY,
      enrolment_id TEXT    NOT NULL,
      user_id      TEXT    NOT NULL,
      status       TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled', 'expired')),
      created_at   INTEGER NOT NULL,
      expires_at   INTEGER NOT NULL,
      finalized_at INTEGER,
      meta         TEXT    NOT NULL,
      outcome      TEXT
    ) STRICT`,
    'CREATE INDEX cloudmfa_challenges_enrolment ON cloudmfa_challenges (enrolment_id, status, created_at, id)',
    'CREATE INDEX cloudmfa_challenges_user_pending ON cloudmfa_challenges (user_id, status, expires_at)',
    `CREATE TABLE cloudmfa_push_pause (
      user_id      TEXT    PRIMARY KEY,
      paused_until INTEGER NOT NULL
    ) STRICT`,
    `CREATE TABLE cloudmfa_audit (
      seq          INTEGER PRIMARY KEY AUTOINCREMENT,
      at           INTEGER NOT NULL,
      kind         TEXT    NOT NULL,
      enrolment_id TEXT,
      user_id      TEXT,
      detail       TEXT    NOT NULL,
      entry_key    TEXT
    ) STRICT`,
    // The idempotency key of an entry moved from the outbox (a drain may move it twice).
    'CREATE UNIQUE INDEX cloudmfa_audit_entry_key ON cloudmfa_audit (entry_key) WHERE entry_key IS NOT NULL',
    'CREATE INDEX cloudmfa_audit_at ON cloudmfa_audit (at, seq)',
    'CREATE INDEX cloudmfa_audit_enrolment ON cloudmfa_audit (enrolment_id, at, seq)',
    'CREATE INDEX cloudmfa_audit_user ON cloudmfa_audit (user_id, at, seq)',
    // Append-only, enforced by the database too.
    `CREATE TRIGGER cloudmfa_audit_no_update BEFORE UPDATE ON cloudmfa_audit
      BEGIN SELECT RAISE(ABORT, 'cloudmfa_audit is append-only'); END`,
    `CREATE TRIGGER cloudmfa_audit_no_delete BEFORE DELETE ON cloudmfa_audit
      BEGIN SELECT RAISE(ABORT, 'cloudmfa_audit is append-only'); END`,
  ],
  // 2: organisations, as @cloudmfa/storage-sqlite's schema 4.
  ORGANISATIONS_MIGRATION,
  // 3: webhook state and the forward read, as @cloudmfa/storage-sqlite's schema 5.
  WEBHOOKS_MIGRATION,
];

/**
 * The schema version this build of the adapter creates and understands (the row in the
 * `cloudmfa_schema` table). A database with a higher version is refused.
 *
 * @example
 * ```ts
 * await env.DB.prepare('SELECT version FROM cloudmfa_schema').first(); // { version: D1_SCHEMA_VERSION }
 * ```
 */
export const D1_SCHEMA_VERSION = MIGRATIONS.length;

async function readVersion(ctx: D1Context): Promise<number> {
  const [, , rows] = await ctx.batch([
    ctx.st('CREATE TABLE IF NOT EXISTS cloudmfa_schema (version INTEGER NOT NULL) STRICT'),
    ctx.st('INSERT INTO cloudmfa_schema (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM cloudmfa_schema)'),
    ctx.st('SELECT version FROM cloudmfa_schema'),
  ]);
  const v = rows?.[0]?.version;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw storageError('ERR_STORAGE_CORRUPT', 'the cloudmfa_schema row does not decode');
  return v;
}

/**
 * Creates the schema or brings it up to {@link D1_SCHEMA_VERSION}: each migration and its
 * version bump are one D1 batch (one transaction), so a worker racing another on a new
 * database either applies a migration whole or fails it whole and reads the winner's version.
 * A database written by a newer adapter is refused with `ERR_STORAGE_CORRUPT`.
 */
export async function migrate(ctx: D1Context): Promise<void> {
  let current = await readVersion(ctx);
  while (current < D1_SCHEMA_VERSION) {
    const statements = [...MIGRATIONS[current]!.map((sql) => ctx.st(sql)), ctx.st('UPDATE cloudmfa_schema SET version = ?1 WHERE version = ?2', current + 1, current)];
    try {
      await ctx.batch(statements);
    } catch (e) {
      const now = await readVersion(ctx);
      if (now === current) throw e;
    }
    current = await readVersion(ctx);
  }
  if (current > D1_SCHEMA_VERSION) {
    throw storageError('ERR_STORAGE_CORRUPT', `the database has schema version ${current}; this adapter understands up to ${D1_SCHEMA_VERSION}`);
  }
}
