// audit.follow on PostgreSQL: identity values are taken before commit, so an append that
// commits late has a lower seq than one already visible. The follower must not hand out a
// position past it (docs/storage.md 7.1, migrations 6 and 7). The lock that orders them is the
// organisation's: another organisation's appends never wait for a follower.
import type { PostgresStore } from '@cloudmfa/storage-postgres';
import { afterAll, expect, it } from 'vitest';
import { testPool, waitFor, waitsForFollowLock, withStore as withStoreIn } from './helpers.js';

const pool = testPool(6);
afterAll(async () => {
  await pool.end();
});

const withStore = (body: (schema: string, store: PostgresStore) => Promise<void>) => withStoreIn(pool, 'follow', Date.UTC(2026, 0, 1), body);

/** The SQL that takes an organisation's append lock (migration 7), as the store's append does. */
const orgLock = (schema: string, org: string) => `SELECT pg_advisory_xact_lock_shared("${schema}".cloudmfa_audit_follow_key('${org}'))`;
/** The SQL that takes migration 6's table-wide append lock, as a release before migration 7 appends. */
const tableLock = (schema: string) => `SELECT pg_advisory_xact_lock_shared(1129138497, '"${schema}".cloudmfa_audit'::regclass::oid::integer)`;

const waitsForOrg = (schema: string, org: string) => waitsForFollowLock(pool, schema, org);

/** Whether a session of the server waits for the table-wide lock of `schema` (migration 6). */
async function waitsForTable(schema: string): Promise<boolean> {
  const r = await pool.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2
       AND classid = 1129138497 AND objid = '"${schema}".cloudmfa_audit'::regclass::oid`,
  );
  return r.rowCount !== 0;
}

it.each([
  ['this release', orgLock, waitsForOrg],
  ['a release before migration 7 (a server not yet restarted)', tableLock, waitsForTable],
] as const)('an append of %s that commits after a later one is still read, and no position skips it', async (_, lock, waits) => {
  await withStore(async (schema, store) => {
    const slow = await pool.connect();
    try {
      // A writer that takes its seq (1) and holds its transaction open, as the store's own
      // append statement does when the commit is slow.
      await slow.query('BEGIN');
      await slow.query(
        `WITH follow_lock AS (${lock(schema, 'default')})
         INSERT INTO "${schema}".cloudmfa_audit (at, kind, detail) SELECT 1, 'otp.refused', '{}'::json FROM follow_lock`,
      );
      const later = await store.audit.append({ kind: 'otp.locked', userId: 'alice' }); // seq 2, committed
      expect(later.id).toBe('2');
      // The follower waits for the open writer (up to its lock timeout), then reads both in order.
      let settled = false;
      const reading = store.audit.follow!({ after: null }).finally(() => (settled = true));
      // Commit only once the follower is seen waiting (or has answered: then it must not have
      // answered without row 1, which is still uncommitted).
      await waitFor(async () => settled || (await waits(schema, 'default')), 'the follower to wait for the open append');
      await slow.query('COMMIT');
      const { events } = await reading;
      expect(events.map((e) => [e.id, e.kind])).toEqual([
        ['1', 'otp.refused'],
        ['2', 'otp.locked'],
      ]);
    } finally {
      slow.release();
    }
  });
});

it('a follower that cannot take the lock in time fails with ERR_STORAGE_UNAVAILABLE and hands out nothing', async () => {
  await withStore(async (schema, store) => {
    const slow = await pool.connect();
    try {
      await store.audit.append({ kind: 'otp.locked', userId: 'alice' });
      await slow.query('BEGIN');
      await slow.query(orgLock(schema, 'default'));
      await expect(store.audit.follow!({ after: null })).rejects.toMatchObject({ code: 'ERR_STORAGE_UNAVAILABLE' });
      await slow.query('ROLLBACK');
      expect((await store.audit.follow!({ after: null })).events).toHaveLength(1);
    } finally {
      slow.release();
    }
  });
});

it("while org A's follower holds its lock, org B appends without waiting; org A's append waits and comes after what the follower read", async () => {
  await withStore(async (schema, store) => {
    const a = store.forOrganisation('org-a');
    const b = store.forOrganisation('org-b');
    await a.audit.append({ kind: 'otp.locked', userId: 'alice' });
    const slowB = await pool.connect();
    const follower = await pool.connect();
    try {
      // An open append of org B does not hold up org A's follower (which would time out).
      await slowB.query('BEGIN');
      await slowB.query(orgLock(schema, 'org-b'));
      expect((await a.audit.follow!({ after: null })).events.map((e) => e.kind)).toEqual(['otp.locked']);
      await slowB.query('ROLLBACK');

      // Org A's follower, holding its lock (the function's transaction stays open).
      await follower.query('BEGIN');
      const read = await follower.query<{ r_seq: string }>(`SELECT r_seq FROM "${schema}".cloudmfa_audit_follow('org-a', 0, 10)`);
      expect(read.rows.map((r) => r.r_seq)).toEqual(['1']);

      // Org B's append ends; had it waited for the follower, it would be seen waiting first.
      let bDone = false;
      const bAppend = b.audit.append({ kind: 'otp.refused', userId: 'bob' }).finally(() => (bDone = true));
      await waitFor(async () => bDone || (await waitsForOrg(schema, 'org-b')) || (await waitsForTable(schema)), "org B's append to end or wait");
      expect(bDone, "org B's append waits for org A's follower").toBe(true);
      expect((await bAppend).kind).toBe('otp.refused');

      // Org A's append waits for its follower, and gets a seq after what the follower read.
      let aDone = false;
      const aAppend = a.audit.append({ kind: 'otp.refused', userId: 'alice' }).finally(() => (aDone = true));
      await waitFor(async () => aDone || (await waitsForOrg(schema, 'org-a')), "org A's append to wait or end");
      expect(aDone, "org A's append did not wait for its follower").toBe(false);
      await follower.query('COMMIT');
      const appended = await aAppend;
      expect(Number(appended.id)).toBeGreaterThan(Number(read.rows[0]!.r_seq));
      expect((await a.audit.follow!({ after: read.rows[0]!.r_seq })).events.map((e) => [e.id, e.kind])).toEqual([[appended.id, 'otp.refused']]);
      expect((await b.audit.follow!({ after: null })).events.map((e) => e.kind)).toEqual(['otp.refused']);
    } finally {
      await follower.query('ROLLBACK').catch(() => undefined);
      await slowB.query('ROLLBACK').catch(() => undefined);
      follower.release();
      slowB.release();
    }
  });
});
