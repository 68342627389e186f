import type Database from 'better-sqlite3';
import { isCloudMfaError } from '@cloudmfa/core';
import { storageError } from '@cloudmfa/storage/adapter';

// Operations per transaction: large enough to amortise the fsync, small enough that another
// process sharing the file gets the write lock between batches.
const MAX_BATCH = 64;

interface Pending {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Runs operations against one better-sqlite3 connection with **group commit**: writes issued
 * in the same event-loop turn are applied in order inside one `BEGIN IMMEDIATE` transaction,
 * each in its own savepoint, and committed with one fsync. Each operation is still atomic on
 * its own (a failing one rolls back to its savepoint and fails alone); if the commit fails,
 * none of them is applied and all reject with `ERR_STORAGE_UNAVAILABLE`.
 *
 * Reads run at once, outside any transaction (the batch's is never open between event-loop
 * turns): a read sees every committed write, so every write whose promise resolved, and never a
 * write still queued. It never waits for a commit it does not need (docs/storage.md section 11).
 */
export class Runner {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly batch: Database.Transaction<(ops: Pending[]) => Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>>;

  constructor(private readonly db: Database.Database) {
    const one = db.transaction((op: Pending) => op.run());
    this.batch = db.transaction((ops: Pending[]) =>
      ops.map((op) => {
        try {
          return { ok: true as const, value: one(op) };
        } catch (error) {
          // A driver error that is not tied to this statement (I/O, busy) leaves the
          // transaction unusable: rethrow so the whole batch rolls back and rejects.
          if (!db.inTransaction) throw error;
          return { ok: false as const, error };
        }
      }),
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(storageError('ERR_STORAGE_UNAVAILABLE', 'the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: every caller whose previous operation just resolved
        // gets to queue its next one first, so concurrent callers share one commit.
        setImmediate(() => this.flush());
      }
    });
  }

  read<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(storageError('ERR_STORAGE_UNAVAILABLE', 'the store is closed'));
    try {
      return Promise.resolve(run());
    } catch (e) {
      return Promise.reject(mapError(e, 'read'));
    }
  }

  flush(): void {
    this.scheduled = false;
    const ops = this.queue.splice(0, MAX_BATCH);
    if (ops.length === 0) return;
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    let results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>;
    try {
      results = this.batch.immediate(ops);
    } catch (e) {
      const err = mapError(e, 'write');
      for (const op of ops) op.reject(err);
      return;
    }
    for (const [i, op] of ops.entries()) {
      const r = results[i]!;
      if (r.ok) op.resolve(r.value);
      else op.reject(mapError(r.error, 'write'));
    }
  }

  close(): void {
    if (this.closed) return;
    // Operations accepted before close() still complete.
    while (this.queue.length > 0) this.flush();
    this.closed = true;
    this.db.close();
  }
}

function mapError(e: unknown, what: string): unknown {
  if (isCloudMfaError(e)) return e;
  return storageError('ERR_STORAGE_UNAVAILABLE', `sqlite ${what} failed`, e);
}
