// consume's direct audit path on PostgreSQL (docs/storage.md section 5, migration 8): with
// auditLog === this scope's own audit log, the accepted entry is appended to cloudmfa_audit in
// the consume's transaction, as a keyed append would, under the organisation's follow lock
// (docs/storage.md 7.1); any other auditLog keeps the outbox.
import { fixedClock } from '@cloudmfa/core';
import type { AuditLog } from '@cloudmfa/storage';
import { openPostgresStore, type PostgresStore } from '@cloudmfa/storage-postgres';
import { afterAll, expect, it } from 'vitest';
import { testPool, waitFor, waitsForFollowLock, withStore as withStoreIn } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const pool = testPool(8);
afterAll(async () => {
  await pool.end();
});

const withStore = (body: (schema: string, store: PostgresStore) => Promise<void>) => withStoreIn(pool, 'direct', T0, body);

const entry = (key: string, enrolmentId: string, step: number) => ({ key, kind: 'otp.accepted', enrolmentId, userId: 'alice', detail: { method: 'totp', step } });
const count = async (schema: string, table: string) => Number((await pool.query(`SELECT count(*)::int AS n FROM "${schema}".${table}`)).rows[0].n);

it('logs the accepted entry in the same transaction, answers it as logged, and leaves no outbox entry; a refused step logs nothing', async () => {
  await withStore(async (schema, store) => {
    const r = await store.guard.consume('e1', 5, { drift: 1, audit: entry('k1', 'e1', 5), auditLog: store.audit });
    expect(r).toEqual({
      ok: true,
      state: { enrolmentId: 'e1', lastStep: 5, failures: 0, lockedUntil: null, drift: 1, lastUsedAt: T0 },
      logged: { id: expect.any(String), at: T0, kind: 'otp.accepted', enrolmentId: 'e1', userId: 'alice', detail: { method: 'totp', step: 5 } },
    });
    expect((await store.audit.query()).events).toEqual([r.ok && r.logged]);
    expect(await store.guard.listPendingAudit()).toEqual([]);
    expect(await count(schema, 'cloudmfa_audit_outbox')).toBe(0);

    expect(await store.guard.consume('e1', 5, { audit: entry('k2', 'e1', 5), auditLog: store.audit })).toEqual({ ok: false, reason: 'replayed', lastStep: 5 });
    expect(await count(schema, 'cloudmfa_audit')).toBe(1);
    expect(await count(schema, 'cloudmfa_audit_outbox')).toBe(0);
  });
});

it('is idempotent by key like append: a key the log holds is not written twice, and the stored event is answered', async () => {
  await withStore(async (schema, store) => {
    const first = await store.audit.append({ ...entry('k1', 'e1', 1), kind: 'otp.moved' });
    const r = await store.guard.consume('e1', 1, { audit: entry('k1', 'e1', 1), auditLog: store.audit });
    expect(r).toMatchObject({ ok: true, logged: first });
    // And the other way round: append of a key a consume logged answers the consume's event.
    const c = await store.guard.consume('e1', 2, { audit: entry('k2', 'e1', 2), auditLog: store.audit });
    expect(await store.audit.append(entry('k2', 'e1', 2))).toEqual(c.ok && c.logged);
    expect(await count(schema, 'cloudmfa_audit')).toBe(2);
  });
});

it('keeps the outbox for any other audit log: another organisation, a wrapper, another store on the same schema, none', async () => {
  await withStore(async (schema, store) => {
    const acme = store.forOrganisation('acme');
    const twin = await openPostgresStore({ pool, schema, clock: fixedClock(T0) });
    const wrapper: AuditLog = { ...store.audit };
    const others: [string, AuditLog | undefined][] = [
      ['acme', acme.audit],
      ['wrapper', wrapper],
      ['twin', twin.audit],
      ['none', undefined],
    ];
    for (const [i, [name, auditLog]] of others.entries()) {
      const r = await store.guard.consume(`o${i}`, 1, { audit: entry(`k-${name}`, `o${i}`, 1), ...(auditLog ? { auditLog } : {}) });
      expect(r, name).toEqual({ ok: true, state: expect.objectContaining({ lastStep: 1 }) });
    }
    expect((await store.guard.listPendingAudit()).map((e) => e.key).sort()).toEqual(['k-acme', 'k-none', 'k-twin', 'k-wrapper']);
    expect(await count(schema, 'cloudmfa_audit')).toBe(0);
    // The organisation's own scope object is its own log: direct, into that organisation's log.
    expect(acme.audit).toBe(store.forOrganisation('acme').audit);
    const a = await acme.guard.consume('e1', 1, { audit: entry('k1', 'e1', 1), auditLog: acme.audit });
    expect(a).toMatchObject({ ok: true, logged: { enrolmentId: 'e1' } });
    expect((await acme.audit.query()).events).toHaveLength(1);
    expect((await store.audit.query()).events).toHaveLength(0);
    await twin.close();
  });
});

it('one batch logs each entry into its own organisation, duplicates in arrival order', async () => {
  await withStore(async (_, store) => {
    const orgs = ['zeta', 'acme', 'default'].map((o) => store.forOrganisation(o));
    const r = await Promise.all(
      orgs.flatMap((s) => [
        s.guard.consume('e1', 1, { audit: entry('k1', 'e1', 1), auditLog: s.audit }),
        s.guard.consume('e1', 1, { audit: entry('k2', 'e1', 1), auditLog: s.audit }),
        s.guard.consume('e1', 2, { audit: entry('k3', 'e1', 2), auditLog: s.audit }),
      ]),
    );
    expect(r.map((x) => (x.ok ? `ok:${x.logged?.detail.step}` : x.reason))).toEqual(Array(3).fill(['ok:1', 'replayed', 'ok:2']).flat());
    for (const s of orgs) {
      expect((await s.audit.follow!({ after: null })).events.map((e) => [e.enrolmentId, e.detail.step])).toEqual([
        ['e1', 1],
        ['e1', 2],
      ]);
    }
  });
});

const waitsForOrg = (schema: string, org: string) => waitsForFollowLock(pool, schema, org);

it('a direct consume waits for the organisation follower that holds its lock, and its entry comes after what the follower read', async () => {
  await withStore(async (schema, store) => {
    await store.audit.append({ kind: 'otp.locked', userId: 'alice' });
    const follower = await pool.connect();
    try {
      await follower.query('BEGIN');
      const read = await follower.query<{ r_seq: string }>(`SELECT r_seq FROM "${schema}".cloudmfa_audit_follow('default', 0, 10)`);
      expect(read.rows.map((r) => r.r_seq)).toEqual(['1']);
      let done = false;
      const consumed = store.guard.consume('e1', 1, { audit: entry('k1', 'e1', 1), auditLog: store.audit }).finally(() => (done = true));
      await waitFor(async () => done || (await waitsForOrg(schema, 'default')), 'the consume to wait for the follower or end');
      expect(done, 'the direct consume did not wait for the follower').toBe(false);
      await follower.query('COMMIT');
      const r = await consumed;
      expect(r.ok && Number(r.logged?.id)).toBeGreaterThan(1);
      expect((await store.audit.follow!({ after: '1' })).events.map((e) => e.kind)).toEqual(['otp.accepted']);
    } finally {
      await follower.query('ROLLBACK').catch(() => undefined);
      follower.release();
    }
  });
});

it('a batch spanning organisations takes their follow locks in one global order, holding none while it waits: no deadlock with followers', async () => {
  await withStore(async (schema, store) => {
    // Two organisations whose lock keys sort the other way round from their ids (the batch
    // sorts its elements by organisation id): `low`, whose key sorts first, has the later id.
    // So neither the arrival order nor the element order gives the lock order.
    const keyed = await pool.query<{ org: string; k: string }>(
      `SELECT o AS org, "${schema}".cloudmfa_audit_follow_key(o)::text AS k FROM unnest($1::text[]) AS o ORDER BY o`,
      [Array.from({ length: 9 }, (_, i) => `org-${i}`)],
    );
    const rows = keyed.rows.map((r) => ({ org: r.org, k: BigInt(r.k) }));
    const pair = rows.flatMap((x, i) => rows.slice(i + 1).map((y) => [x, y] as const)).find(([x, y]) => x.k > y.k);
    if (!pair) throw new Error('nine keys in id order: pick other ids');
    const [high, low] = [pair[0].org, pair[1].org];
    const lowLock = await pool.connect();
    try {
      // A follower of `low` holds its lock (as cloudmfa_audit_follow does, exclusive).
      await lowLock.query('BEGIN');
      await lowLock.query(`SELECT pg_advisory_xact_lock("${schema}".cloudmfa_audit_follow_key($1))`, [low]);
      // One batch, `high` first in arrival order and in element order.
      const h = store.forOrganisation(high);
      const l = store.forOrganisation(low);
      const batch = Promise.all([
        h.guard.consume('e1', 1, { audit: entry('k1', 'e1', 1), auditLog: h.audit }),
        l.guard.consume('e1', 1, { audit: entry('k1', 'e1', 1), auditLog: l.audit }),
      ]);
      await waitFor(() => waitsForOrg(schema, low), "the batch to wait for the low organisation's lock");
      // It holds nothing meanwhile: the other organisation's follower reads at once (were the
      // batch holding `high` shared, it would wait and fail after its 200 ms lock_timeout).
      // And a second batch the other way round is not deadlocked with it.
      expect((await h.audit.follow!({ after: null })).events).toEqual([]);
      const second = Promise.all([
        l.guard.consume('e2', 1, { audit: entry('k2', 'e2', 1), auditLog: l.audit }),
        h.guard.consume('e2', 1, { audit: entry('k2', 'e2', 1), auditLog: h.audit }),
      ]);
      await lowLock.query('COMMIT');
      const all = [...(await batch), ...(await second)];
      expect(all.every((r) => r.ok && r.logged)).toBe(true);
      for (const s of [h, l]) expect((await s.audit.follow!({ after: null })).events.map((e) => e.enrolmentId).sort()).toEqual(['e1', 'e2']);
    } finally {
      await lowLock.query('ROLLBACK').catch(() => undefined);
      lowLock.release();
    }
  });
});

// A key committed by another transaction while the consume's insert waited for it is not in the
// consume statement's snapshot: the batch raises 40001 and rolls back whole (docs/storage-postgres.md
// section 2, migration 8), and the adapter's retry answers the stored event.
async function holdKey(schema: string, key: string) {
  const holder = await pool.connect();
  await holder.query('BEGIN');
  const xid = (await holder.query<{ x: string }>('SELECT txid_current()::text AS x')).rows[0]!.x;
  const held = (await holder.query<{ r_seq: string }>(`SELECT r_seq FROM "${schema}".cloudmfa_audit_append_org('default', $1::bigint, 'otp.moved', 'e1', 'alice', '{"moved":true}', $2)`, [T0, key])).rows[0]!.r_seq;
  const waitedOn = async () => (await pool.query(`SELECT 1 FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted AND transactionid::text = $1`, [xid])).rowCount !== 0;
  return { holder, held, waitedOn };
}

it('a key another transaction commits while the consume waits for it: the batch raises 40001 and rolls back whole', async () => {
  await withStore(async (schema) => {
    const { holder, waitedOn } = await holdKey(schema, 'k1');
    try {
      const call = pool.query(`SELECT * FROM "${schema}".cloudmfa_otp_consume_log_batch($1::text[], $2::text[], $3::bigint[], $4::integer[], $5::bigint[], $6::bigint[],
        $7::text[], $8::text[], $9::text[], $10::json[], $11::boolean[])`,
        [['default', 'default'], ['e1', 'e2'], [1, 1], [null, null], [T0, T0], [null, null], ['k1', 'k2'], ['otp.accepted', 'otp.accepted'], ['alice', 'alice'], ['{}', '{}'], [true, true]]);
      const failed = call.then(() => null, (e: { code?: string }) => e.code ?? 'no code');
      await waitFor(waitedOn, 'the batch to wait for the holder of the key');
      await holder.query('COMMIT');
      expect(await failed).toBe('40001');
      // Nothing of the batch stayed: no guard, no entry of k2, only the holder's entry.
      expect(await count(schema, 'cloudmfa_otp_guard')).toBe(0);
      expect((await pool.query(`SELECT entry_key FROM "${schema}".cloudmfa_audit`)).rows).toEqual([{ entry_key: 'k1' }]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
  });
});

it('the adapter runs that batch again and answers the event the other transaction committed', async () => {
  await withStore(async (schema, store) => {
    const { holder, held, waitedOn } = await holdKey(schema, 'k1');
    try {
      const consumed = store.guard.consume('e1', 1, { audit: entry('k1', 'e1', 1), auditLog: store.audit });
      await waitFor(waitedOn, 'the consume to wait for the holder of the key');
      await holder.query('COMMIT');
      const r = await consumed;
      expect(r).toMatchObject({ ok: true, state: { lastStep: 1 }, logged: { id: held, kind: 'otp.moved', detail: { moved: true } } });
      expect(await count(schema, 'cloudmfa_audit')).toBe(1);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
  });
});
