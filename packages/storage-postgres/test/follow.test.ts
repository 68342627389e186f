// audit.follow on PostgreSQL: identity values are taken before commit, so an append that
// commits late has a lower seq than one already visible. The follower must not hand out a
// position past it (docs/storage.md 7.1, migration 6).
import { fixedClock } from '@cloudmfa/core';
import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { afterAll, expect, it } from 'vitest';
import { dropSchema, testPool, uniqueSchema, waitFor } from './helpers.js';

const pool = testPool(6);
afterAll(async () => {
  await pool.end();
});

it('an append that commits after a later one is still read, and no position skips it', async () => {
  const schema = uniqueSchema('follow');
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  await migrate({ pool, schema, clock });
  const store = await openPostgresStore({ pool, schema, clock });
  const slow = await pool.connect();
  try {
    // A writer that takes its seq (1) and holds its transaction open, as the store's own append
    // statement does when the commit is slow.
    await slow.query('BEGIN');
    await slow.query(
      `WITH follow_lock AS (SELECT pg_advisory_xact_lock_shared(1129138497, '"${schema}".cloudmfa_audit'::regclass::oid::integer))
       INSERT INTO "${schema}".cloudmfa_audit (at, kind, detail) SELECT 1, 'otp.refused', '{}'::json FROM follow_lock`,
    );
    const later = await store.audit.append({ kind: 'otp.locked', userId: 'alice' }); // seq 2, committed
    expect(later.id).toBe('2');
    // The follower waits for the open writer (up to its lock timeout), then reads both in order.
    let settled = false;
    const reading = store.audit.follow!({ after: null }).finally(() => (settled = true));
    // Commit only once the follower is seen waiting (or has answered: then it must not have
    // answered without row 1, which is still uncommitted).
    await waitFor(async () => {
      if (settled) return true;
      const r = await pool.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = '"${schema}".cloudmfa_audit'::regclass::oid`,
      );
      return r.rowCount === 1;
    }, 'the follower to wait for the open append');
    await slow.query('COMMIT');
    const { events } = await reading;
    expect(events.map((e) => [e.id, e.kind])).toEqual([
      ['1', 'otp.refused'],
      ['2', 'otp.locked'],
    ]);
  } finally {
    slow.release();
    await store.close();
    await dropSchema(pool, schema);
  }
});

it('a follower that cannot take the lock in time fails with ERR_STORAGE_UNAVAILABLE and hands out nothing', async () => {
  const schema = uniqueSchema('follow');
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  await migrate({ pool, schema, clock });
  const store = await openPostgresStore({ pool, schema, clock });
  const slow = await pool.connect();
  try {
    await store.audit.append({ kind: 'otp.locked', userId: 'alice' });
    await slow.query('BEGIN');
    await slow.query(`SELECT pg_advisory_xact_lock_shared(1129138497, '"${schema}".cloudmfa_audit'::regclass::oid::integer)`);
    await expect(store.audit.follow!({ after: null })).rejects.toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE' });
    await slow.query('ROLLBACK');
    expect((await store.audit.follow!({ after: null })).events).toHaveLength(1);
  } finally {
    slow.release();
    await store.close();
    await dropSchema(pool, schema);
  }
});
