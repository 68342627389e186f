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

/** An outcome held until the fsync that makes what it saw durable has returned. */
type Held = () => void;

/**
 * The durability barrier of a store opened with `synchronous: 'full'` on a file: SQLite runs
 * with `synchronous=NORMAL` (a commit writes the WAL without fsync, on the event loop) and the
 * runner fsyncs the WAL file itself, off the event loop, before it hands out any outcome that
 * depends on a commit.
 */
export interface Barrier {
  /** `fs.fsync` of the WAL file (a descriptor the runner's owner opened): calls back once it is on disk. */
  fsync(done: (err: Error | null) => void): void;
  /** Releases the WAL descriptor (after the last fsync returned). */
  close(): void;
}

/**
 * Runs operations against one better-sqlite3 connection with **group commit**: writes issued
 * in the same event-loop turn are applied in order inside one `BEGIN IMMEDIATE` transaction,
 * each in its own savepoint, and committed together. Each operation is still atomic on
 * its own (a failing one rolls back to its savepoint and fails alone); if the commit fails,
 * none of them is applied and all reject with `ERR_STORAGE_UNAVAILABLE`.
 *
 * Reads run at once, outside any transaction (the batch's is never open between event-loop
 * turns): a read sees every committed write, so every write whose promise resolved, and never a
 * write still queued. It never waits for a commit it does not need (docs/storage.md section 11).
 *
 * With a {@link Barrier}, no outcome (write or read) is handed out before an fsync of the WAL
 * that started after every commit it could see: the event loop keeps working (the next batch
 * is applied) while the disk syncs the previous one. An fsync that fails rejects everything
 * held and closes the store.
 */
export class Runner {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly batch: Database.Transaction<(ops: Pending[]) => Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>>;
  /** Outcomes held for the fsync in flight (`null`: none in flight). */
  private syncing: Held[] | null = null;
  /** Outcomes held for the next fsync, which must start after a commit it covers. */
  private waiting: Held[] = [];
  /** Held outcomes' rejections, for an fsync that fails. */
  private readonly rejects = new Map<Held, (e: unknown) => void>();
  /** A commit since the fsync in flight started. */
  private dirty = false;
  private drained: (() => void) | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly barrier: Barrier | null = null,
  ) {
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
    let value: T;
    try {
      value = run();
    } catch (e) {
      return Promise.reject(mapError(e, 'read'));
    }
    // What it read may be a commit whose fsync has not returned yet: held until it has.
    if (!this.dirty && this.syncing === null) return Promise.resolve(value);
    return new Promise<T>((resolve, reject) => this.hold(() => resolve(value), reject));
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
      // Rolled back: nothing of the batch was applied, nothing to wait for.
      const err = mapError(e, 'write');
      for (const op of ops) op.reject(err);
      return;
    }
    if (this.barrier) this.dirty = true;
    for (const [i, op] of ops.entries()) {
      const r = results[i]!;
      const settle = r.ok ? () => op.resolve(r.value) : () => op.reject(mapError(r.error, 'write'));
      if (this.barrier) this.hold(settle, op.reject);
      else settle();
    }
    this.sync();
  }

  /** Holds `settle` until the fsync after every commit so far has returned. */
  private hold(settle: Held, reject: (e: unknown) => void): void {
    this.rejects.set(settle, reject);
    if (this.dirty) this.waiting.push(settle);
    else (this.syncing as Held[]).push(settle);
  }

  /** Starts an fsync for the commits not yet covered, unless one is in flight (it restarts then). */
  private sync(): void {
    const barrier = this.barrier;
    if (!barrier || this.syncing !== null || !this.dirty) {
      if (this.syncing === null && !this.dirty) this.drained?.();
      return;
    }
    const group = this.waiting;
    this.waiting = [];
    this.dirty = false;
    this.syncing = group;
    barrier.fsync((err) => {
      const held = this.syncing as Held[];
      this.syncing = null;
      if (err) {
        // Whether those commits reached the disk is unknown: nothing held is confirmed, and the
        // store closes (its connection may hold state the disk does not).
        const e = storageError('ERR_STORAGE_UNAVAILABLE', 'sqlite fsync failed', err);
        for (const h of [...held, ...this.waiting]) this.rejects.get(h)?.(e);
        this.rejects.clear();
        this.waiting = [];
        this.dirty = false;
        this.closeNow();
        this.drained?.();
        return;
      }
      for (const h of held) {
        this.rejects.delete(h);
        h();
      }
      this.sync();
    });
  }

  /** Completes the operations accepted before it, waits for their fsync, then closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Operations accepted before close() still complete.
    while (this.queue.length > 0) this.flush();
    this.closed = true;
    if (this.syncing !== null || this.dirty) await new Promise<void>((resolve) => (this.drained = resolve));
    this.closeNow();
  }

  private closeNow(): void {
    this.closed = true;
    if (!this.db.open) return;
    this.db.close();
    this.barrier?.close();
  }
}

function mapError(e: unknown, what: string): unknown {
  if (isCloudMfaError(e)) return e;
  return storageError('ERR_STORAGE_UNAVAILABLE', `sqlite ${what} failed`, e);
}
