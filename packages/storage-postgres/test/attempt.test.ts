// guard.attempt on PostgreSQL (docs/storage.md section 5, migration 8): the attempts (and
// recordFailures) of one event-loop turn go as one cloudmfa_otp_count_batch call, across
// organisations. These check what a caller of the batch sees, and that a locked attempt
// writes nothing, which the conformance suite can only see through the state.
import { fixedClock } from '@cloudmfa/core';
import type { ThrottlePolicy } from '@cloudmfa/storage';
import { listMigrations, migrate, openPostgresStore, type PostgresStore } from '@cloudmfa/storage-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, testPool, uniqueSchema } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
// Two free failures, then 1 s, 2 s, ...; locked out for a minute at the fifth.
const POLICY: ThrottlePolicy = { freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 10_000, lockoutFailures: 5, lockoutMs: 60_000 };
const pool = testPool(8);
const schema = uniqueSchema('attempt');
const clock = fixedClock(T0);
let store: PostgresStore;

beforeAll(async () => {
  await migrate({ pool, schema });
  store = await openPostgresStore({ pool, schema, clock });
});
afterAll(async () => {
  await store.close();
  await dropSchema(pool, schema);
  await pool.end();
});

/** The guard row as stored, with its row version (xmin) and expiry, or undefined. */
const raw = async (id: string, org = 'default') =>
  (
    await pool.query<{ xmin: string; failures: string; locked_until: string | null; expires_at: string | null }>(
      `SELECT xmin::text AS xmin, failures::text, locked_until::text, expires_at::text FROM "${schema}".cloudmfa_otp_guard WHERE org = $1 AND enrolment_id = $2`,
      [org, id],
    )
  ).rows[0];

describe('grouped attempts', () => {
  it('attempts on one guard in one batch are counted in arrival order, and each sees the lock the counts before it set', async () => {
    // One turn: all five go in one batch (sorted by id, stable).
    const r = await Promise.all([1, 2, 3, 4, 5].map(() => store.guard.attempt('a1', POLICY)));
    expect(r[0]).toEqual({ ok: true, state: { enrolmentId: 'a1', lastStep: null, failures: 1, lockedUntil: null, drift: null, lastUsedAt: null } });
    expect(r[1]).toMatchObject({ ok: true, state: { failures: 2, lockedUntil: null } });
    // The third count passes freeFailures: 1 s lock; the fourth and fifth find it and count nothing.
    expect(r[2]).toMatchObject({ ok: true, state: { failures: 3, lockedUntil: T0 + 1000 } });
    expect(r[3]).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 1000, failures: 3 });
    expect(r[4]).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 1000, failures: 3 });
    expect(await store.guard.get('a1')).toMatchObject({ failures: 3, lockedUntil: T0 + 1000 });
  });

  it('a recordFailure in the same batch counts through the lock; an attempt after it is refused with the new count', async () => {
    await store.guard.recordFailure('a2', { ...POLICY, freeFailures: 0 }); // locked 1 s
    const [f, a] = await Promise.all([store.guard.recordFailure('a2', POLICY), store.guard.attempt('a2', POLICY)]);
    expect(f).toMatchObject({ failures: 2, lockedUntil: T0 + 1000 });
    expect(a).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 1000, failures: 2 });
  });

  it('a locked attempt writes nothing: the row keeps its version, and no forgotten guard is removed', async () => {
    const c = fixedClock(T0);
    const s = await openPostgresStore({ pool, schema, clock: c });
    for (let i = 0; i < 5; i++) await s.guard.recordFailure('a4', POLICY); // locked out until T0 + 60 s
    await s.guard.recordFailure('f-old', { ...POLICY, forgetAfterMs: 1000 }); // forgotten at T0 + 1000
    c.set(T0 + 5000);
    const before = await raw('a4');
    expect(await s.guard.attempt('a4', POLICY)).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 60_000, failures: 5 });
    expect(await raw('a4')).toEqual(before);
    expect(await raw('f-old')).toBeDefined();
    // An attempt that counts does recordFailure's write, which removes it (docs/storage.md 5.2).
    expect(await s.guard.attempt('a5', POLICY)).toMatchObject({ ok: true, state: { failures: 1 } });
    expect(await raw('f-old')).toBeUndefined();
    await s.close();
  });

  it('a forgotten guard reads as fresh: counted from one, with a new expiry', async () => {
    const forgetting = { ...POLICY, freeFailures: 0, forgetAfterMs: 10_000 };
    const c = fixedClock(T0);
    const s = await openPostgresStore({ pool, schema, clock: c });
    await s.guard.attempt('fg', forgetting); // failures 1, locked to T0 + 1000, expires T0 + 11000
    expect(await raw('fg')).toMatchObject({ failures: '1', locked_until: String(T0 + 1000), expires_at: String(T0 + 11_000) });
    c.set(T0 + 11_000);
    expect(await s.guard.attempt('fg', forgetting)).toEqual({
      ok: true,
      state: { enrolmentId: 'fg', lastStep: null, failures: 1, lockedUntil: T0 + 12_000, drift: null, lastUsedAt: null },
    });
    expect(await raw('fg')).toMatchObject({ expires_at: String(T0 + 22_000) });
    await s.close();
  });

  it('one batch spans organisations: the same id counts separately in each', async () => {
    const a = store.forOrganisation('org-a');
    const b = store.forOrganisation('org-b');
    const r = await Promise.all([a.guard.attempt('x', POLICY), b.guard.attempt('x', POLICY), a.guard.attempt('x', POLICY), store.guard.attempt('x', POLICY)]);
    expect(r.map((x) => (x.ok ? x.state.failures : x.reason))).toEqual([1, 1, 2, 1]);
    expect((await raw('x', 'org-a'))?.failures).toBe('2');
    expect((await raw('x', 'org-b'))?.failures).toBe('1');
  });

  it('200 concurrent attempts over 20 guards (several batches): each guard counts to the lock and refuses the rest, none lost', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.guard.attempt(`m${i % 20}`, POLICY)));
    for (let k = 0; k < 20; k++) {
      const mine = results.filter((_, i) => i % 20 === k);
      // Counted until the first lock (after the third), then refused: 3 counted, 7 refused.
      expect(mine.filter((r) => r.ok).length).toBe(3);
      expect(await store.guard.get(`m${k}`)).toMatchObject({ failures: 3, lockedUntil: T0 + 1000 });
    }
  });
});

it('a version-7 schema with guards migrates to 8, and attempt and direct logging work on its rows', async () => {
  const old = uniqueSchema('v7');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA "${old}"`);
    await client.query(`SET LOCAL search_path TO "${old}", pg_temp`);
    await client.query('CREATE TABLE cloudmfa_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at bigint NOT NULL)');
    for (const m of listMigrations().slice(0, 7)) {
      await client.query(m.sql);
      await client.query('INSERT INTO cloudmfa_migrations VALUES ($1, $2, $3, 0)', [m.version, m.name, m.checksum]);
    }
    await client.query(`INSERT INTO cloudmfa_otp_guard (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at)
      VALUES ('default', 'e1', 42, 2, NULL, 0, ${T0}), ('acme', 'e1', 7, 5, ${T0 + 60_000}, NULL, ${T0})`);
    // A release of version 7 consumes through the batch function of migration 5; it stays.
    await client.query(`SELECT * FROM cloudmfa_otp_consume_org_batch('default', '{e2}', '{1}', '{NULL}', '{${T0}}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}')`);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  try {
    expect((await migrate({ pool, schema: old })).applied).toEqual([8]);
    const s = await openPostgresStore({ pool, schema: old, clock: fixedClock(T0) });
    expect(await s.guard.attempt('e1', POLICY)).toMatchObject({ ok: true, state: { lastStep: 42, failures: 3, lockedUntil: T0 + 1000 } });
    expect(await s.forOrganisation('acme').guard.attempt('e1', POLICY)).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 60_000, failures: 5 });
    const audit = { key: 'k1', kind: 'otp.accepted', enrolmentId: 'e2', detail: {} };
    expect(await s.guard.consume('e2', 2, { audit, auditLog: s.audit })).toMatchObject({ ok: true, logged: { kind: 'otp.accepted', enrolmentId: 'e2' } });
    // The old function still answers on the new schema (a server not yet restarted).
    const r = await pool.query(`SELECT r_outcome FROM "${old}".cloudmfa_otp_consume_org_batch('default', '{e2}', '{3}', '{NULL}', '{${T0}}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}')`);
    expect(r.rows).toEqual([{ r_outcome: 'ok' }]);
    await s.close();
  } finally {
    await dropSchema(pool, old);
  }
});
