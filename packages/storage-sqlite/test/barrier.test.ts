// The durability barrier of synchronous: 'full' (docs/storage.md section 11): commits are written
// on the event loop, the WAL is fsynced off it, and no outcome is handed out before the fsync
// that followed its commit returned. The fsync here is held by the test, so every step is
// decided by the test, never by timing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isCloudMfaError } from '@cloudmfa/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Barrier, Runner } from '../src/_runner.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-barrier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function setup() {
  const path = join(dir, `b${n++}.db`);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
  const syncs: Array<(err: Error | null) => void> = [];
  let closed = 0;
  const barrier: Barrier = { fsync: (done) => syncs.push(done), close: () => closed++ };
  const runner = new Runner(db, barrier);
  const put = db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
  const get = db.prepare('SELECT v FROM t WHERE k = ?').pluck();
  const other = new Database(path, { readonly: true });
  const committed = (k: number) => other.prepare('SELECT v FROM t WHERE k = ?').pluck().get(k);
  /** Lets the runner's batch of this turn run (it is scheduled with setImmediate). */
  const turn = () => new Promise<void>((r) => setImmediate(r));
  return {
    runner,
    syncs,
    closedBarrier: () => closed,
    write: (k: number, v: number) => runner.write(() => put.run(k, v).changes),
    read: (k: number) => runner.read(() => get.get(k)),
    committed,
    turn,
    done: () => other.close(),
  };
}

/** The promise with a flag saying whether it settled. */
function track<T>(p: Promise<T>) {
  const t = { settled: false, p: p.finally(() => (t.settled = true)) };
  t.p.catch(() => {});
  return t;
}

describe('sqlite: the WAL fsync barrier', () => {
  it('a write is committed in its turn, and resolves only once the fsync after it returned', async () => {
    const s = setup();
    const a = track(s.write(1, 10));
    await s.turn();
    expect(s.committed(1)).toBe(10);
    expect(s.syncs).toHaveLength(1);
    await s.turn();
    expect(a.settled).toBe(false);
    s.syncs.shift()!(null);
    expect(await a.p).toBe(1);
    s.done();
  });

  it('a batch committed while an fsync is in flight waits for the next fsync, which starts after it', async () => {
    const s = setup();
    const a = track(s.write(1, 10));
    await s.turn();
    const b = track(s.write(2, 20));
    await s.turn();
    expect(s.committed(2)).toBe(20);
    expect(s.syncs).toHaveLength(1);
    s.syncs.shift()!(null);
    await a.p;
    await s.turn();
    expect(b.settled).toBe(false);
    expect(s.syncs).toHaveLength(1);
    s.syncs.shift()!(null);
    await b.p;
    s.done();
  });

  it('a read that may have seen an unsynced commit waits for its fsync; with none, it answers at once', async () => {
    const s = setup();
    const a = track(s.write(1, 10));
    await s.turn();
    const r = track(s.read(1));
    await s.turn();
    expect(r.settled).toBe(false);
    s.syncs.shift()!(null);
    expect(await r.p).toBe(10);
    await a.p;
    // Nothing unsynced: answered without an fsync.
    expect(await s.read(1)).toBe(10);
    expect(s.syncs).toHaveLength(0);
    s.done();
  });

  it('a failed fsync rejects every held outcome with ERR_STORAGE_UNAVAILABLE and closes the store', async () => {
    const s = setup();
    const a = track(s.write(1, 10));
    await s.turn();
    const r = track(s.read(1));
    const b = track(s.write(2, 20));
    await s.turn();
    s.syncs.shift()!(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    for (const t of [a, r, b]) {
      const e = await t.p.then(() => null, (x: unknown) => x);
      expect(isCloudMfaError(e, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
      expect((e as { cause?: unknown }).cause).toEqual({ name: 'Error', code: 'EIO' });
    }
    expect(s.runner.isClosed).toBe(true);
    expect(s.closedBarrier()).toBe(1);
    expect(isCloudMfaError(await s.write(3, 30).catch((x: unknown) => x), 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
    s.done();
  });

  it('close() completes the queued writes and returns after their fsync', async () => {
    const s = setup();
    const a = track(s.write(1, 10));
    const closing = track(s.runner.close());
    expect(s.committed(1)).toBe(10);
    await s.turn();
    expect(closing.settled).toBe(false);
    expect(a.settled).toBe(false);
    s.syncs.shift()!(null);
    await closing.p;
    expect(await a.p).toBe(1);
    expect(s.closedBarrier()).toBe(1);
    s.done();
  });
});
