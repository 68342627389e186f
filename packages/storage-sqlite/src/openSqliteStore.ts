import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { type Barrier, Runner } from './_runner.js';
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
   * `'full'` (default): no operation resolves before the commit it depends on is fsynced, so
   * an accepted code survives power loss (the fsync of the WAL runs off the event loop,
   * docs/storage.md section 11). `'normal'`: no fsync per commit; survives a killed process
   * but may lose the last commits on power loss.
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
 * every acknowledged write fsynced (by default), `secure_delete` on. Every row is keyed by its organisation
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
  let barrier: Barrier | null = null;
  try {
    db.pragma(`busy_timeout = ${busy}`);
    db.pragma('journal_mode = WAL');
    // 'full' on a file: SQLite writes each commit's WAL frames without an fsync on the event
    // loop, and the runner fsyncs the WAL off it before any outcome is handed out (Barrier).
    db.pragma('synchronous = NORMAL');
    // Overwrite deleted content (revoked secrets) instead of leaving it in free pages.
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    migrate(db);
    if (sync === 'full' && !db.memory) barrier = walBarrier(db.name);
    else if (sync === 'full') db.pragma('synchronous = FULL');
  } catch (e) {
    db.close();
    if ((e as { name?: string }).name === 'CloudMfaError') throw e;
    throw storageError('ERR_STORAGE_UNAVAILABLE', 'cannot prepare the sqlite database', e);
  }
  return buildStore(db, options.path, clock, barrier);
}

/**
 * The WAL file's barrier: a descriptor of `<file>-wal` (the connection created it in WAL mode,
 * and it stays while the connection is open) whose `fs.fsync` runs on libuv's thread pool. The
 * directory is fsynced once, so the WAL file's own entry is on disk before any commit counts.
 */
function walBarrier(file: string): Barrier {
  const fd = openSync(`${file}-wal`, 'r+');
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let open = true;
  return {
    fsync: (done) => fsync(fd, (err) => done(err)),
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

function buildStore(db: Database.Database, path: string, clock: Clock, barrier: Barrier | null): SqliteStore {
  const runner = new Runner(db, barrier);
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
    close: () => runner.close(),
  };
}
