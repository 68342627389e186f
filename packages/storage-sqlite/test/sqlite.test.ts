import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { SQLITE_SCHEMA_VERSION, openSqliteStore } from '@cloudmfa/storage-sqlite';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `s${n++}.db`);
const T0 = Date.UTC(2026, 0, 1);

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return isCloudMfaError(e) ? e.code : `not a CloudMfaError: ${String(e)}`;
  }
  return undefined;
}

describe('sqlite: file, schema and migrations', () => {
  it('creates one WAL file with the current schema version, and reopens it with the data', async () => {
    const path = fresh();
    const clock = fixedClock(T0);
    const s1 = openSqliteStore({ path, clock });
    await s1.enrolments.create({ id: 'e1', userId: 'alice', secret: new Uint8Array([1]), expiresAt: T0 + 60_000 });
    await s1.guard.consume('e1', 42);
    await s1.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version FROM cloudmfa_schema').all()).toEqual([{ version: SQLITE_SCHEMA_VERSION }]);
    raw.close();
    const s2 = openSqliteStore({ path, clock });
    expect((await s2.enrolments.get('e1'))?.userId).toBe('alice');
    expect(await s2.guard.consume('e1', 42)).toMatchObject({ ok: false, reason: 'replayed' });
    await s2.close();
  });

  it('refuses a file written by a newer schema with ERR_STORAGE_CORRUPT, leaving it untouched', async () => {
    const path = fresh();
    await openSqliteStore({ path }).close();
    const raw = new Database(path);
    raw.prepare('UPDATE cloudmfa_schema SET version = ?').run(SQLITE_SCHEMA_VERSION + 1);
    raw.close();
    expect(await codeOf(() => openSqliteStore({ path }))).toBe('ERR_STORAGE_CORRUPT');
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT version FROM cloudmfa_schema').get()).toEqual({ version: SQLITE_SCHEMA_VERSION + 1 });
    check.close();
  });

  it('types bad options and unopenable paths', async () => {
    expect(await codeOf(() => openSqliteStore({ path: '' }))).toBe('ERR_STORAGE_INVALID');
    expect(await codeOf(() => openSqliteStore(null as never))).toBe('ERR_STORAGE_INVALID');
    expect(await codeOf(() => openSqliteStore({ path: fresh(), synchronous: 'off' as never }))).toBe('ERR_STORAGE_INVALID');
    expect(await codeOf(() => openSqliteStore({ path: fresh(), busyTimeoutMs: -1 }))).toBe('ERR_STORAGE_INVALID');
    expect(await codeOf(() => openSqliteStore({ path: join(dir, 'no', 'such', 'dir', 'x.db') }))).toBe('ERR_STORAGE_UNAVAILABLE');
    const notDb = join(dir, 'not-a-db');
    mkdirSync(notDb);
    expect(await codeOf(() => openSqliteStore({ path: notDb }))).toBe('ERR_STORAGE_UNAVAILABLE');
  });

  it('reports a tampered row as ERR_STORAGE_CORRUPT instead of returning garbage', async () => {
    const path = fresh();
    const store = openSqliteStore({ path, clock: fixedClock(T0) });
    await store.enrolments.create({ id: 'e1', userId: 'alice', secret: new Uint8Array([1]), expiresAt: T0 + 60_000 });
    await store.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: 'alice', expiresAt: T0 + 60_000 });
    const raw = new Database(path);
    raw.prepare("UPDATE cloudmfa_enrolments SET meta = '[not json' WHERE id = 'e1'").run();
    raw.prepare("UPDATE cloudmfa_challenges SET meta = '[1,2]' WHERE id = 'c1'").run();
    raw.close();
    expect(await codeOf(store.enrolments.get('e1'))).toBe('ERR_STORAGE_CORRUPT');
    expect(await codeOf(store.enrolments.listByUser('alice'))).toBe('ERR_STORAGE_CORRUPT');
    expect(await codeOf(store.challenges.get('c1'))).toBe('ERR_STORAGE_CORRUPT');
    // A corrupt row makes its own operation fail, and rolls it back: the redemption is not applied.
    expect(await codeOf(store.enrolments.redeem('e1'))).toBe('ERR_STORAGE_CORRUPT');
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT status, version FROM cloudmfa_enrolments WHERE id = 'e1'").get()).toEqual({ status: 'pending', version: 1 });
    check.close();
    await store.close();
  });

  it('keeps the audit log append-only in the database itself', async () => {
    const path = fresh();
    const store = openSqliteStore({ path, clock: fixedClock(T0) });
    await store.audit.append({ kind: 'otp.accepted', enrolmentId: 'e1' });
    await store.close();
    const raw = new Database(path);
    expect(() => raw.prepare("UPDATE cloudmfa_audit SET kind = 'forged'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM cloudmfa_audit').run()).toThrow(/append-only/);
    raw.close();
  });

  it('leaves no copy of a revoked secret in the file after a checkpoint (secure_delete)', async () => {
    const path = fresh();
    const marker = Uint8Array.from({ length: 48 }, (_, i) => (i * 37 + 11) & 255);
    const store = openSqliteStore({ path, clock: fixedClock(T0) });
    await store.enrolments.create({ id: 'e1', userId: 'alice', secret: marker, expiresAt: T0 + 60_000 });
    await store.enrolments.redeem('e1');
    const hex = Buffer.from(marker).toString('hex');
    const raw = new Database(path);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(path).toString('hex')).toContain(hex);
    await store.enrolments.revoke('e1');
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    await store.close();
    expect(readFileSync(path).toString('hex')).not.toContain(hex);
    expect(readFileSync(`${path}-wal`, { flag: 'a+' }).toString('hex')).not.toContain(hex);
  });
});

describe('sqlite: connections sharing one file', () => {
  it('two connections in one process racing 100 consumes of one step: exactly one wins', async () => {
    const path = fresh();
    const clock = fixedClock(T0);
    const a = openSqliteStore({ path, clock });
    const b = openSqliteStore({ path, clock });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).guard.consume('e1', 7)));
    expect(results.filter((r) => r.ok).length).toBe(1);
    await a.close();
    await b.close();
  });

  it('a write lock held elsewhere gives ERR_STORAGE_UNAVAILABLE and applies nothing; the next call works', async () => {
    const path = fresh();
    const store = openSqliteStore({ path, clock: fixedClock(T0), busyTimeoutMs: 50 });
    await store.guard.consume('e1', 1);
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    const [r1, r2] = await Promise.allSettled([store.guard.consume('e1', 2), store.audit.append({ kind: 'otp.accepted' })]);
    for (const r of [r1, r2]) {
      expect(r.status).toBe('rejected');
      expect(isCloudMfaError((r as PromiseRejectedResult).reason, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
      // The driver's message never travels: only its class and code.
      expect((r as PromiseRejectedResult).reason.cause).toEqual({ name: 'SqliteError', code: 'SQLITE_BUSY' });
    }
    // Reads still work under WAL while another connection writes.
    expect((await store.guard.get('e1'))?.lastStep).toBe(1);
    blocker.exec('ROLLBACK');
    blocker.close();
    expect((await store.audit.query()).events).toEqual([]);
    expect(await store.guard.consume('e1', 2)).toMatchObject({ ok: true });
    await store.close();
  });

  it('completes operations issued before close(), and refuses those after', async () => {
    const store = openSqliteStore({ path: fresh(), clock: fixedClock(T0) });
    const pending = store.guard.consume('e1', 1);
    const closing = store.close();
    expect(await pending).toMatchObject({ ok: true });
    await closing;
    expect(await codeOf(store.guard.consume('e1', 2))).toBe('ERR_STORAGE_UNAVAILABLE');
  });
});

describe('sqlite: forgotten throttle guards are removed (issue 11 §3)', () => {
  it('holds a bounded number of guard rows under a stream of new addresses', async () => {
    const path = fresh();
    const clock = fixedClock(T0);
    const store = openSqliteStore({ path, clock });
    const policy = { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 10, lockoutMs: 1000, forgetAfterMs: 60_000 };
    await store.guard.consume('enr1', 7);
    for (let i = 0; i < 2000; i++) {
      await store.guard.recordFailure(`i_${i}`, policy);
      clock.advance(1000); // 60 addresses live at any time
    }
    await store.close();
    const db = new Database(path, { readonly: true });
    const rows = (db.prepare('SELECT count(*) AS n FROM cloudmfa_otp_guard').get() as { n: number }).n;
    const kept = db.prepare("SELECT last_step FROM cloudmfa_otp_guard WHERE enrolment_id = 'enr1'").get() as { last_step: number };
    db.close();
    expect(rows).toBeLessThanOrEqual(62);
    expect(kept.last_step).toBe(7);
  });
});
