import Database from 'better-sqlite3';
import { type Clock, systemClock } from '@cloudmfa/core';
import { DEFAULT_ORGANISATION_ID, type MfaStore, type OrganisationScope } from '@cloudmfa/storage';
import { scopeCache, storageError } from '@cloudmfa/storage/adapter';
import { sqliteAudit } from './_audit.js';
import { sqliteWebhooks } from './_webhooks.js';
import { sqliteChallenges } from './_challenges.js';
import { createContext } from './_context.js';
import { sqliteEnrolments } from './_enrolments.js';
import { sqliteGuard } from './_guard.js';
import { sqliteOrganisations } from './_organisations.js';
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


/**
 * Opens (creating and migrating when needed) the embedded SQLite store: one file, WAL,
 * `synchronous=FULL`, `secure_delete` on. Every row is keyed by its organisation
 * (`forOrganisation`); rows of files written before organisations belong to the default one. Every atomic operation is one conditional
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
    // Statement journals (the pages a statement of a batch changes, kept until the batch ends)
    // and temporary tables stay in memory: no temporary file takes copies of pages.
    db.pragma('temp_store = MEMORY');
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
  // One set of prepared statements per organisation, each bound to it (docs/storage.md, "Organisations").
  const scope = (org: string): OrganisationScope => {
    const ctx = createContext(db, runner, clock, org);
    const audit = sqliteAudit(ctx);
    return { enrolments: sqliteEnrolments(ctx), guard: sqliteGuard(ctx, audit), challenges: sqliteChallenges(ctx), audit: audit.log, webhooks: sqliteWebhooks(ctx) };
  };
  const root = scope(DEFAULT_ORGANISATION_ID);
  return {
    path,
    ...root,
    organisations: sqliteOrganisations(createContext(db, runner, clock, DEFAULT_ORGANISATION_ID)),
    forOrganisation: scopeCache(root, scope),
    close: async () => {
      runner.close();
    },
  };
}
