import { type CloudMfaErrorCode, fixedClock, isCloudMfaError } from '@cloudmfa/core';
import { DEFAULT_THROTTLE_POLICY, type MfaStore } from '@cloudmfa/storage';
import { listMigrations, migrate, openPostgresStore, type PostgresStore } from '@cloudmfa/storage-postgres';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_URL, dropSchema, testPool, uniqueSchema, waitFor } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const admin = testPool(4);
afterAll(async () => {
  await admin.end();
});

/** Awaits a rejection and returns it, asserting it is a CloudMfaError with `code`. */
async function rejection(p: Promise<unknown>, code: CloudMfaErrorCode): Promise<Error & { code: string; cause?: unknown }> {
  const e = await p.then(
    () => {
      throw new Error(`expected a rejection with ${code}`);
    },
    (err: unknown) => err,
  );
  expect(isCloudMfaError(e, code), `expected ${code}, got ${String((e as { code?: string }).code ?? e)}`).toBe(true);
  return e as Error & { code: string; cause?: unknown };
}

/** Every operation of the store, each called once (for closed / unreachable checks). */
function everyOperation(store: MfaStore, now: number): [string, () => Promise<unknown>][] {
  return [
    ['enrolments.create', () => store.enrolments.create({ id: 'e2', userId: 'alice', secret: SECRET, expiresAt: now + MIN })],
    ['enrolments.get', () => store.enrolments.get('e1')],
    ['enrolments.listByUser', () => store.enrolments.listByUser('alice')],
    ['enrolments.redeem', () => store.enrolments.redeem('e1')],
    ['enrolments.update', () => store.enrolments.update('e1', { meta: {} })],
    ['enrolments.revoke', () => store.enrolments.revoke('e1')],
    ['guard.get', () => store.guard.get('e1')],
    ['guard.consume', () => store.guard.consume('e1', 1)],
    ['guard.recordFailure', () => store.guard.recordFailure('e1', DEFAULT_THROTTLE_POLICY)],
    ['guard.attempt', () => store.guard.attempt('e1', DEFAULT_THROTTLE_POLICY)],
    ['guard.reset', () => store.guard.reset('e1')],
    ['challenges.create', () => store.challenges.create({ id: 'c2', enrolmentId: 'e1', userId: 'alice', expiresAt: now + MIN })],
    ['challenges.get', () => store.challenges.get('c1')],
    ['challenges.finalize', () => store.challenges.finalize('c1', { status: 'approved' })],
    ['challenges.listPending', () => store.challenges.listPending('e1')],
    ['audit.append', () => store.audit.append({ kind: 'x' })],
    ['audit.query', () => store.audit.query()],
  ];
}

describe('bad options', () => {
  it('openPostgresStore refuses bad options with ERR_STORAGE_INVALID', async () => {
    for (const options of [null, undefined, 5, {}, { pool: null }, { pool: {} }, { pool: { query: 1 } }, { pool: admin, clock: 'now' }, { pool: admin, schema: 'Bad' }]) {
      await rejection(openPostgresStore(options as never), 'ERR_STORAGE_INVALID');
    }
  });
});

describe('a clock that is not a time', () => {
  it('rejects operations with ERR_STORAGE_INVALID before any I/O', async () => {
    const schema = uniqueSchema('clock');
    try {
      await migrate({ pool: admin, schema });
      for (const bad of [() => Number.NaN, () => -1, () => 9e15, () => '1' as unknown as number]) {
        const store = await openPostgresStore({ pool: admin, schema, clock: bad });
        await rejection(store.guard.consume('e1', 1), 'ERR_STORAGE_INVALID');
        await rejection(store.enrolments.create({ id: 'e1', userId: 'a', secret: SECRET, expiresAt: T0 }), 'ERR_STORAGE_INVALID');
      }
      expect((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".cloudmfa_otp_guard`)).rows[0].n).toBe(0);
    } finally {
      await dropSchema(admin, schema);
    }
  });
});

describe('a closed pool and an unreachable server', () => {
  it('every operation on an ended pool rejects with ERR_STORAGE_UNAVAILABLE, cause scrubbed', async () => {
    const schema = uniqueSchema('closedpool');
    const pool = testPool(2);
    try {
      await migrate({ pool, schema });
      const store = await openPostgresStore({ pool, schema, clock: fixedClock(T0) });
      await store.enrolments.create({ id: 'e1', userId: 'alice', secret: SECRET, expiresAt: T0 + MIN });
      await pool.end();
      for (const [name, call] of everyOperation(store, T0)) {
        const e = await rejection(call(), 'ERR_STORAGE_UNAVAILABLE');
        // pg's "Cannot use a pool after calling end on the pool" is reduced to its class name.
        expect(e.cause, name).toEqual({ name: 'Error' });
      }
      await rejection(migrate({ pool, schema }), 'ERR_STORAGE_UNAVAILABLE');
      await rejection(openPostgresStore({ pool, schema }), 'ERR_STORAGE_UNAVAILABLE');
    } finally {
      await dropSchema(admin, schema);
    }
  });

  it('an unreachable server gives ERR_STORAGE_UNAVAILABLE (ECONNREFUSED as the cause code)', async () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'test', connectionTimeoutMillis: 2000 });
    pool.on('error', () => {});
    try {
      const e = await rejection(openPostgresStore({ pool, schema: 'cloudmfa' }), 'ERR_STORAGE_UNAVAILABLE');
      expect(e.cause).toMatchObject({ code: 'ECONNREFUSED' });
      await rejection(migrate({ pool, schema: 'cloudmfa' }), 'ERR_STORAGE_UNAVAILABLE');
    } finally {
      await pool.end();
    }
  });
});

describe('on a migrated schema', () => {
  let schema: string;
  let pool: ReturnType<typeof testPool>;
  let store: PostgresStore;
  let clock: ReturnType<typeof fixedClock>;
  let locker: pg.Client;
  let lockerPid: number;

  beforeEach(async () => {
    schema = uniqueSchema('fail');
    pool = testPool(4);
    clock = fixedClock(T0);
    await migrate({ pool, schema });
    store = await openPostgresStore({ pool, schema, clock });
    locker = new pg.Client({ connectionString: DATABASE_URL });
    locker.on('error', () => {});
    await locker.connect();
    lockerPid = (await locker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  });
  afterEach(async () => {
    await locker.end();
    await store.close();
    await pool.end();
    await dropSchema(admin, schema);
  });

  const t = (name: string) => `"${schema}".${name}`;

  /**
   * Starts `operation`, waits until its backend is blocked by the locker's transaction (so it
   * is inside its statement), terminates that backend with pg_terminate_backend, and returns
   * the operation's rejection.
   */
  async function terminateWhileBlocked(operation: () => Promise<unknown>) {
    const pending = operation().then(
      () => {
        throw new Error('the operation finished although its backend was terminated');
      },
      (e: unknown) => e,
    );
    let victim = 0;
    await waitFor(async () => {
      const r = await admin.query('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [lockerPid]);
      victim = r.rows[0]?.pid ?? 0;
      return victim !== 0;
    }, 'the operation to block on the locker');
    expect((await admin.query('SELECT pg_terminate_backend($1) AS ok', [victim])).rows[0].ok).toBe(true);
    const e = (await pending) as Error & { code: string; cause?: unknown };
    expect(isCloudMfaError(e, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
    // 57P01: "terminating connection due to administrator command".
    expect(e.cause).toEqual({ name: 'error', code: '57P01' });
    await locker.query('ROLLBACK');
    return e;
  }

  it('consume: a backend terminated mid-statement applies nothing; the step can still be accepted once', async () => {
    await store.guard.consume('g1', 10, { drift: 1 });
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM ${t('cloudmfa_otp_guard')} WHERE enrolment_id = 'g1' FOR UPDATE`);
    clock.advance(30_000);
    await terminateWhileBlocked(() => store.guard.consume('g1', 11, { drift: 2 }));
    expect(await store.guard.get('g1')).toMatchObject({ lastStep: 10, drift: 1, lastUsedAt: T0 });
    expect(await store.guard.consume('g1', 11)).toMatchObject({ ok: true, state: { lastStep: 11, lastUsedAt: T0 + 30_000 } });
    expect(await store.guard.consume('g1', 11)).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('a consume batch terminated half-way applies none of its consumes, including those already upserted', async () => {
    // Ten consumes arrive together: one batch, run in id order b0..b9. b5 is locked, so the
    // batch has already upserted b0..b4 inside its transaction when it blocks.
    await store.guard.consume('b5', 1);
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM ${t('cloudmfa_otp_guard')} WHERE enrolment_id = 'b5' FOR UPDATE`);
    const all = Array.from({ length: 10 }, (_, i) => store.guard.consume(`b${i}`, 7));
    const settled = Promise.allSettled(all);
    await terminateWhileBlocked(() => Promise.race(all));
    const results = await settled;
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(isCloudMfaError((r as PromiseRejectedResult).reason, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
    }
    for (let i = 0; i < 10; i++) expect(await store.guard.get(`b${i}`)).toEqual(i === 5 ? expect.objectContaining({ lastStep: 1 }) : null);
    // Nothing half-applied: every one of them can still be accepted exactly once.
    const again = await Promise.all(Array.from({ length: 10 }, (_, i) => store.guard.consume(`b${i}`, 7)));
    expect(again.every((r) => r.ok)).toBe(true);
  });

  it('first-ever consume blocked behind an uncommitted insert: terminated, nothing stored', async () => {
    await locker.query('BEGIN');
    await locker.query(`INSERT INTO ${t('cloudmfa_otp_guard')} (enrolment_id, last_step, failures) VALUES ('g2', 1, 0)`);
    await terminateWhileBlocked(() => store.guard.consume('g2', 5));
    expect(await store.guard.get('g2')).toBeNull();
    expect((await store.guard.consume('g2', 5)).ok).toBe(true);
  });

  it('recordFailure: terminated mid-statement, the failure is not half-counted', async () => {
    await store.guard.recordFailure('g3', DEFAULT_THROTTLE_POLICY);
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM ${t('cloudmfa_otp_guard')} WHERE enrolment_id = 'g3' FOR UPDATE`);
    await terminateWhileBlocked(() => store.guard.recordFailure('g3', { ...DEFAULT_THROTTLE_POLICY, freeFailures: 0 }));
    expect(await store.guard.get('g3')).toMatchObject({ failures: 1, lockedUntil: null });
  });

  it('attempt: terminated mid-statement, nothing is counted, in any organisation of the batch', async () => {
    await store.guard.attempt('g4', DEFAULT_THROTTLE_POLICY);
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM ${t('cloudmfa_otp_guard')} WHERE enrolment_id = 'g4' FOR UPDATE`);
    // One batch: acme's g4 sorts before default's g4, so it is counted before the batch blocks.
    const other = store.forOrganisation('acme').guard.attempt('g4', DEFAULT_THROTTLE_POLICY);
    const settled = other.then(
      () => 'counted',
      (e: unknown) => (isCloudMfaError(e, 'ERR_STORAGE_UNAVAILABLE') ? 'rolled back' : 'other error'),
    );
    await terminateWhileBlocked(() => store.guard.attempt('g4', DEFAULT_THROTTLE_POLICY));
    expect(await settled).toBe('rolled back');
    expect(await store.guard.get('g4')).toMatchObject({ failures: 1 });
    expect(await store.forOrganisation('acme').guard.get('g4')).toBeNull();
  });

  it('redeem: terminated mid-statement, the enrolment stays pending with its secret and version', async () => {
    await store.enrolments.create({ id: 'e1', userId: 'alice', secret: SECRET, expiresAt: T0 + 5 * MIN });
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM ${t('cloudmfa_enrolments')} WHERE id = 'e1' FOR UPDATE`);
    await terminateWhileBlocked(() => store.enrolments.redeem('e1', { secret: new Uint8Array([9, 9]), meta: { device: 'x' } }));
    expect(await store.enrolments.get('e1')).toMatchObject({ status: 'pending', secret: SECRET, version: 1, activatedAt: null, meta: {} });
    expect((await store.enrolments.redeem('e1')).ok).toBe(true);
  });

  it('create: blocked behind an uncommitted insert of the same id, terminated, nothing stored', async () => {
    await locker.query('BEGIN');
    await locker.query(
      `INSERT INTO ${t('cloudmfa_enrolments')} (id, user_id, status, secret, meta, created_at, expires_at, version)
       VALUES ('e9', 'mallory', 'pending', '\\x01', '{}', 0, 1, 1)`,
    );
    await terminateWhileBlocked(() => store.enrolments.create({ id: 'e9', userId: 'alice', secret: SECRET, expiresAt: T0 + MIN }));
    expect(await store.enrolments.get('e9')).toBeNull();
    expect((await store.enrolments.create({ id: 'e9', userId: 'alice', secret: SECRET, expiresAt: T0 + MIN })).userId).toBe('alice');
  });

  it('finalize: terminated mid-statement, the challenge stays pending and can still be answered once', async () => {
    await store.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: 'alice', expiresAt: T0 + 2 * MIN });
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM ${t('cloudmfa_challenges')} WHERE id = 'c1' FOR UPDATE`);
    await terminateWhileBlocked(() => store.challenges.finalize('c1', { status: 'approved', outcome: { userVerified: true } }));
    expect(await store.challenges.get('c1')).toMatchObject({ status: 'pending', outcome: null, finalizedAt: null });
    expect((await store.challenges.finalize('c1', { status: 'denied' })).ok).toBe(true);
  });

  it('audit append: terminated while waiting, no event is stored', async () => {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${t('cloudmfa_audit')} IN EXCLUSIVE MODE`);
    await terminateWhileBlocked(() => store.audit.append({ kind: 'otp.accepted', enrolmentId: 'e1' }));
    expect((await store.audit.query()).events).toEqual([]);
  });

  it('migrate: a backend terminated after the DDL ran, before it was recorded, leaves no table behind', async () => {
    const s2 = uniqueSchema('migdrop');
    try {
      // The version table exists; the locker holds an uncommitted row for version 1, so
      // migrate runs all of migration 1's DDL and then blocks recording it.
      await admin.query(`CREATE SCHEMA "${s2}"`);
      await admin.query(`CREATE TABLE "${s2}".cloudmfa_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at bigint NOT NULL)`);
      await locker.query('BEGIN');
      await locker.query(`INSERT INTO "${s2}".cloudmfa_migrations VALUES (1, 'initial', 'x', 0)`);
      await terminateWhileBlocked(() => migrate({ pool, schema: s2 }));
      const exists = async (name: string) => (await admin.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`"${s2}".${name}`])).rows[0].ok;
      expect(await exists('cloudmfa_enrolments')).toBe(false);
      expect(await exists('cloudmfa_audit')).toBe(false);
      expect((await admin.query(`SELECT count(*)::int AS n FROM "${s2}".cloudmfa_migrations`)).rows[0].n).toBe(0);
      expect((await migrate({ pool, schema: s2 })).applied).toEqual(listMigrations().map((m) => m.version));
    } finally {
      await dropSchema(admin, s2);
    }
  });

  it('driver errors never carry values: a DBA constraint quoting the row is reduced to { name, code }', async () => {
    const marker = 'S3CR3T-MARKER';
    await admin.query(`ALTER TABLE ${t('cloudmfa_enrolments')} ADD CONSTRAINT no_marker CHECK (user_id NOT LIKE 'S3CR3T%')`);
    const secret = new TextEncoder().encode(marker);
    const e = await rejection(store.enrolments.create({ id: 'e1', userId: `${marker}-user`, secret, expiresAt: T0 + MIN }), 'ERR_STORAGE_UNAVAILABLE');
    expect(e.cause).toEqual({ name: 'error', code: '23514' });
    const everything = `${e.message} ${JSON.stringify(e.cause)} ${e.stack ?? ''}`;
    expect(everything).not.toContain(marker);
    expect(everything).not.toContain(Buffer.from(secret).toString('hex'));
  });

  it('reads a tampered row as ERR_STORAGE_CORRUPT', async () => {
    await store.enrolments.create({ id: 'e1', userId: 'alice', secret: SECRET, expiresAt: T0 + MIN });
    await store.challenges.create({ id: 'c1', enrolmentId: 'e1', userId: 'alice', expiresAt: T0 + MIN });
    await store.audit.append({ kind: 'x' });
    await admin.query(`UPDATE ${t('cloudmfa_enrolments')} SET meta = '[1]' WHERE id = 'e1'`);
    await rejection(store.enrolments.get('e1'), 'ERR_STORAGE_CORRUPT');
    await admin.query(`ALTER TABLE ${t('cloudmfa_challenges')} DROP CONSTRAINT cloudmfa_challenges_status_check`);
    await admin.query(`UPDATE ${t('cloudmfa_challenges')} SET status = 'hacked' WHERE id = 'c1'`);
    await rejection(store.challenges.get('c1'), 'ERR_STORAGE_CORRUPT');
    await admin.query(`INSERT INTO ${t('cloudmfa_otp_guard')} VALUES ('g', 9007199254740993, 0, NULL, NULL, NULL)`);
    await rejection(store.guard.get('g'), 'ERR_STORAGE_CORRUPT');
  });

  it('the audit table refuses UPDATE, DELETE and TRUNCATE', async () => {
    await store.audit.append({ kind: 'otp.accepted', detail: { n: 1 } });
    for (const stmt of [`UPDATE ${t('cloudmfa_audit')} SET kind = 'x'`, `DELETE FROM ${t('cloudmfa_audit')}`, `TRUNCATE ${t('cloudmfa_audit')}`]) {
      await expect(admin.query(stmt)).rejects.toMatchObject({ code: '23001' });
    }
    expect((await store.audit.query()).events.length).toBe(1);
  });

  it('ignores the caller’s type parsers (int8 as BigInt, JSON parsed, bytea as text)', async () => {
    const odd = new pg.Pool({
      connectionString: DATABASE_URL,
      max: 2,
      types: {
        getTypeParser: ((oid: number) => (oid === 20 ? BigInt : oid === 114 ? JSON.parse : (v: string) => `!${v}`)) as never,
      },
    });
    odd.on('error', () => {});
    try {
      const s = await openPostgresStore({ pool: odd, schema, clock });
      const e = await s.enrolments.create({ id: 'e1', userId: 'alice', secret: SECRET, meta: { a: 1 }, expiresAt: T0 + MIN });
      expect(e).toMatchObject({ userId: 'alice', secret: SECRET, meta: { a: 1 }, createdAt: T0, version: 1 });
      expect(await s.guard.consume('g', Number.MAX_SAFE_INTEGER)).toMatchObject({ ok: true, state: { lastStep: Number.MAX_SAFE_INTEGER } });
      expect(await s.enrolments.get('e1')).toEqual(e);
    } finally {
      await odd.end();
    }
  });
});
