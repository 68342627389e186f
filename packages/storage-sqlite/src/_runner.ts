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

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown inside the optimistic batch when one operation failed: roll back, run them one by one. */
const ONE_FAILED = Symbol('one operation of the batch failed');

/**
 * Runs operations against one better-sqlite3 connection with **group commit**: writes issued
 * in the same event-loop turn are applied in order inside one `BEGIN IMMEDIATE` transaction
 * and committed with one fsync. Each operation is still atomic on its own (a failing one
 * fails alone and leaves no partial write); if the commit fails, none of them is applied and
 * all reject with `ERR_STORAGE_UNAVAILABLE`.
 *
 * The batch is optimistic: its operations run without a savepoint each. When one throws, the
 * whole transaction is rolled back and the batch runs again, each operation in its own
 * savepoint, so the failing one rolls back alone and the others answer exactly what they
 * would have answered. An operation's `run` must therefore be database work only (statements
 * and decoding, no outside effect): it may run twice, and only the answer of the run that
 * committed is delivered. An operation that throws is always undone whole, so its statements
 * may leave a partial change when they fail (`OR FAIL`, no statement journal); `run` must not
 * catch a statement's error and go on. The second run is a new `BEGIN IMMEDIATE`: when another
 * process sharing the file takes the write lock in between and holds it past the busy timeout,
 * the whole batch rejects as unavailable, where the first run would have failed only the one
 * operation. An operation that answers an expected refusal by throwing (a conflict on create)
 * makes its batch run twice; the verification's operations answer theirs as values.
 *
 * Reads run at once, outside any transaction (the batch's is never open between event-loop
 * turns): a read sees every committed write, so every write whose promise resolved, and never a
 * write still queued. It never waits for a commit it does not need (docs/storage.md section 11).
 */
export class Runner {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly optimistic: Database.Transaction<(ops: Pending[]) => unknown[]>;
  private readonly oneByOne: Database.Transaction<(ops: Pending[]) => Outcome[]>;

  constructor(private readonly db: Database.Database) {
    this.optimistic = db.transaction((ops: Pending[]) =>
      ops.map((op) => {
        try {
          return op.run();
        } catch (error) {
          // A driver error that is not tied to this statement (I/O, busy) leaves the
          // transaction unusable: rethrow so the whole batch rolls back and rejects.
          if (!db.inTransaction) throw error;
          throw ONE_FAILED;
        }
      }),
    );
    const one = db.transaction((op: Pending) => op.run());
    this.oneByOne = db.transaction((ops: Pending[]) =>
      ops.map((op) => {
        try {
          return { ok: true as const, value: one(op) };
        } catch (error) {
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
    let results: Outcome[];
    try {
      results = this.commit(ops);
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

  /** The batch's outcomes, committed; throws (nothing applied) when the transaction fails. */
  private commit(ops: Pending[]): Outcome[] {
    try {
      return this.optimistic.immediate(ops).map((value) => ({ ok: true as const, value }));
    } catch (e) {
      if (e !== ONE_FAILED) throw e;
    }
    return this.oneByOne.immediate(ops);
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
