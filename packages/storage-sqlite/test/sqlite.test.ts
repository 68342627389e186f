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

describe('sqlite: attempt and the direct audit path, as the file holds them', () => {
  const lockAtFirst = { freeFailures: 0, baseDelayMs: 10_000, maxDelayMs: 60_000, lockoutFailures: 3, lockoutMs: 600_000, forgetAfterMs: 60_000 };

  it('a refused attempt commits nothing: the row (expiry included) and the file are as they were', async () => {
    const path = fresh();
    const clock = fixedClock(T0);
    const store = openSqliteStore({ path, clock });
    expect(await store.guard.attempt('i_1', lockAtFirst)).toMatchObject({ ok: true, state: { failures: 1, lockedUntil: T0 + 10_000 } });
    const raw = new Database(path, { readonly: true });
    const row = () => raw.prepare("SELECT * FROM cloudmfa_otp_guard WHERE enrolment_id = 'i_1'").get();
    const before = row();
    expect(before).toMatchObject({ failures: 1, locked_until: T0 + 10_000, expires_at: T0 + 70_000 });
    // data_version moves when another connection commits a change to the file.
    const version = raw.pragma('data_version', { simple: true });
    clock.advance(5_000);
    expect(await store.guard.attempt('i_1', { ...lockAtFirst, forgetAfterMs: 3_600_000 })).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 10_000, failures: 1 });
    expect(raw.pragma('data_version', { simple: true })).toBe(version);
    expect(row()).toEqual(before);
    raw.close();
    await store.close();
  });

  it("consume with the scope's own log writes the audit row with its key and no outbox row; another log gets an outbox row only", async () => {
    const path = fresh();
    const store = openSqliteStore({ path, clock: fixedClock(T0) });
    const org = store.forOrganisation('org-a');
    const entry = (key: string) => ({ key, kind: 'otp.accepted', enrolmentId: 'e1', userId: 'alice', detail: { n: 1 } });
    const r = await org.guard.consume('e1', 1, { audit: entry('k1'), auditLog: org.audit });
    expect(r).toMatchObject({ ok: true, logged: { kind: 'otp.accepted', at: T0 } });
    expect(await org.guard.consume('e1', 2, { audit: entry('k2'), auditLog: store.audit })).not.toHaveProperty('logged');
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT org, entry_key FROM cloudmfa_audit').all()).toEqual([{ org: 'org-a', entry_key: 'k1' }]);
    expect(raw.prepare('SELECT org, entry_key FROM cloudmfa_audit_outbox').all()).toEqual([{ org: 'org-a', entry_key: 'k2' }]);
    raw.close();
    await store.close();
  });
});

describe('sqlite: group commit (docs/storage.md section 11)', () => {
  /** A store on a fresh file whose pending enrolment 'bad' has undecodable meta: its redeem's UPDATE applies, then it throws. */
  const withCorruptEnrolment = async () => {
    const path = fresh();
    const store = openSqliteStore({ path, clock: fixedClock(T0) });
    await store.enrolments.create({ id: 'bad', userId: 'alice', secret: new Uint8Array([1]), expiresAt: T0 + 60_000 });
    const tamper = new Database(path);
    tamper.prepare("UPDATE cloudmfa_enrolments SET meta = '[not json' WHERE id = 'bad'").run();
    tamper.close();
    return { path, store };
  };

  it('writes of one event-loop turn: a failing one rolls back alone, and each resolves only once committed', async () => {
    const { path, store } = await withCorruptEnrolment();
    const raw = new Database(path, { readonly: true });
    // Read from another connection when each promise settles: only committed rows are seen there.
    const seen = (sql: string) => () => raw.prepare(sql).get();
    const [consumed, redeemed, appended] = await Promise.allSettled([
      store.guard.consume('e1', 5).then(seen("SELECT last_step FROM cloudmfa_otp_guard WHERE enrolment_id = 'e1'")),
      store.enrolments.redeem('bad'),
      store.audit.append({ kind: 'otp.accepted', enrolmentId: 'e1' }).then(seen('SELECT count(*) AS n FROM cloudmfa_audit')),
    ]);
    expect(consumed).toEqual({ status: 'fulfilled', value: { last_step: 5 } });
    expect(redeemed.status).toBe('rejected');
    expect(isCloudMfaError((redeemed as PromiseRejectedResult).reason, 'ERR_STORAGE_CORRUPT')).toBe(true);
    expect(appended).toEqual({ status: 'fulfilled', value: { n: 1 } });
    expect(raw.prepare("SELECT status, version FROM cloudmfa_enrolments WHERE id = 'bad'").get()).toEqual({ status: 'pending', version: 1 });
    raw.close();
    await store.close();
  });

  it('one write failing mid-batch after its statement wrote: the batch runs again one by one, each answer as alone, nothing applied twice', async () => {
    const { path, store } = await withCorruptEnrolment();
    const entry = (key: string) => ({ key, kind: 'otp.accepted', enrolmentId: 'e1', userId: 'alice', detail: { key } });
    // In one batch: writes before and after the failing redeem (whose UPDATE applies before its
    // row fails to decode), the later ones depending on the earlier ones.
    const [first, appended, redeemed, replayed, again, counted] = await Promise.allSettled([
      store.guard.consume('e1', 5, { audit: entry('k1'), auditLog: store.audit }),
      store.audit.append(entry('k2')),
      store.enrolments.redeem('bad'),
      store.guard.consume('e1', 5),
      store.audit.append(entry('k2')),
      store.guard.recordFailure('e1', { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 10, lockoutMs: 1000 }),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { ok: true, state: { lastStep: 5, failures: 0 }, logged: { id: '1', detail: { key: 'k1' } } } });
    expect(appended).toMatchObject({ status: 'fulfilled', value: { id: '2', detail: { key: 'k2' } } });
    expect(redeemed.status).toBe('rejected');
    expect(isCloudMfaError((redeemed as PromiseRejectedResult).reason, 'ERR_STORAGE_CORRUPT')).toBe(true);
    expect(replayed).toEqual({ status: 'fulfilled', value: { ok: false, reason: 'replayed', lastStep: 5 } });
    expect(again).toEqual(appended);
    expect(counted).toMatchObject({ status: 'fulfilled', value: { lastStep: 5, failures: 1 } });
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT status, version FROM cloudmfa_enrolments WHERE id = 'bad'").get()).toEqual({ status: 'pending', version: 1 });
    expect(raw.prepare('SELECT entry_key FROM cloudmfa_audit ORDER BY seq').all()).toEqual([{ entry_key: 'k1' }, { entry_key: 'k2' }]);
    expect(raw.prepare("SELECT last_step, failures FROM cloudmfa_otp_guard WHERE enrolment_id = 'e1'").get()).toEqual({ last_step: 5, failures: 1 });
    raw.close();
    await store.close();
  });

  it('a statement that fails after it wrote (OR FAIL keeps no statement journal): its operation is undone whole, the others commit', async () => {
    const path = fresh();
    const store = openSqliteStore({ path, clock: fixedClock(T0) });
    // A test-only trigger: the audit row of kind 'fail' is inserted, then its statement fails.
    const setup = new Database(path);
    setup.exec(`CREATE TRIGGER t_fail AFTER INSERT ON cloudmfa_audit WHEN new.kind = 'fail' BEGIN SELECT RAISE(FAIL, 'test'); END;`);
    setup.close();
    const entry = (key: string, kind: string, enrolmentId: string) => ({ key, kind, enrolmentId, userId: 'alice', detail: {} });
    const [failed, other, appended] = await Promise.allSettled([
      store.guard.consume('e1', 5, { audit: entry('k1', 'fail', 'e1'), auditLog: store.audit }),
      store.guard.consume('e2', 5, { audit: entry('k2', 'otp.accepted', 'e2'), auditLog: store.audit }),
      store.audit.append(entry('k3', 'fail', 'e3')),
    ]);
    for (const r of [failed, appended]) {
      expect(r.status).toBe('rejected');
      expect(isCloudMfaError((r as PromiseRejectedResult).reason, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
    }
    expect(other).toMatchObject({ status: 'fulfilled', value: { ok: true, logged: { kind: 'otp.accepted' } } });
    const raw = new Database(path, { readonly: true });
    // Nothing consumed without its record: the failed consume left neither its guard nor its row.
    expect(raw.prepare('SELECT enrolment_id, last_step FROM cloudmfa_otp_guard').all()).toEqual([{ enrolment_id: 'e2', last_step: 5 }]);
    expect(raw.prepare('SELECT entry_key FROM cloudmfa_audit').all()).toEqual([{ entry_key: 'k2' }]);
    raw.close();
    expect(await store.guard.consume('e1', 5)).toMatchObject({ ok: true });
    await store.close();
  });

  it('a read runs at once, also while writes are queued: it sees the last commit, never a queued write', async () => {
    const store = openSqliteStore({ path: fresh(), clock: fixedClock(T0) });
    await store.guard.consume('e1', 1);
    let settled = false;
    const write = store.guard.consume('e1', 2).finally(() => {
      settled = true;
    });
    // The write waits for its batch's commit (the next turn); the read does not wait for it.
    expect(await store.guard.get('e1')).toMatchObject({ lastStep: 1 });
    expect(settled).toBe(false);
    expect(await write).toMatchObject({ ok: true });
    expect(await store.guard.get('e1')).toMatchObject({ lastStep: 2 });
    await store.close();
  });

  it('a commit that fails rejects every write of the batch and applies none; the next batch works', async () => {
    const path = fresh();
    const store = openSqliteStore({ path, clock: fixedClock(T0) });
    await store.guard.consume('e1', 1);
    // A test-only trigger: an audit row of kind 'boom' adds a row whose deferred foreign key
    // cannot hold, so its statement succeeds and the COMMIT of the whole batch fails.
    const setup = new Database(path);
    setup.exec(`CREATE TABLE t_parent (id INTEGER PRIMARY KEY);
      CREATE TABLE t_child (p INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER t_boom AFTER INSERT ON cloudmfa_audit WHEN new.kind = 'boom' BEGIN INSERT INTO t_child (p) VALUES (42); END;`);
    setup.close();
    const results = await Promise.allSettled([
      store.guard.consume('e1', 2),
      store.audit.append({ kind: 'boom' }),
      store.guard.recordFailure('e2', { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 10, lockoutMs: 1000 }),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(isCloudMfaError((r as PromiseRejectedResult).reason, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
    }
    expect(await store.guard.get('e1')).toMatchObject({ lastStep: 1 });
    expect(await store.guard.get('e2')).toBeNull();
    expect((await store.audit.query()).events).toEqual([]);
    expect(await store.guard.consume('e1', 2)).toMatchObject({ ok: true });
    await store.close();
  });
});
