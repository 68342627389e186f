// Migration 8 (docs/storage-postgres.md section 2): cloudmfa_otp_count_batch and
// cloudmfa_otp_consume_log_batch decide their elements set-based, per segment of distinct keys,
// instead of calling per-element functions (cloudmfa_otp_consume_org of migration 5,
// cloudmfa_audit_append_org of migration 8, and the per-element count of fixtures/countOrg.sql,
// which the adapter does not install), and purge forgotten guards once per count batch. The same elements (one clock reading, so the batch's purge takes the same rows
// as the counts' purges), sent once to the batch functions and once, element by element in one
// transaction, to those per-element functions (the definition of the batches in migration 8),
// give the same rows and leave the same guard, audit and outbox tables: outcomes, states,
// forgotten guards and the purge (more forgotten rows than the counts may take), locks, replays,
// keyed, unkeyed and already-logged appends, the outbox, duplicates within a batch.
import { readFileSync } from 'node:fs';
import { migrate } from '@cloudmfa/storage-postgres';
import { afterAll, expect, it } from 'vitest';
import pg from 'pg';
import { DATABASE_URL, dropSchema, testPool, uniqueSchema } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const pool = testPool(4);
afterAll(async () => {
  await pool.end();
});

const P = { free: 3, base: 1000, max: 300_000, lf: 10, lms: 900_000 };
// [org, id, now, forget, ifUnlocked]
const COUNTS: [string, string, number, number | null, boolean][] = [
  ['o1', 'e1', T0, 86_400_000, true],
  ['o1', 'e1', T0, 86_400_000, true],
  ['o1', 'e2', T0, 86_400_000, true],
  ['o1', 'e2', T0, 86_400_000, false],
  ['o1', 'e3', T0, 86_400_000, true],
  ['o2', 'e1', T0, 86_400_000, true],
  ['o2', 'n1', T0, 86_400_000, true],
  ['o2', 'n2', T0, null, true],
  ['o2', 'n3', T0, 5, true],
  ['o1', 'e9', T0, 86_400_000, true],
];
// [org, id, step, drift, now, unlock, key, log]
const CONSUMES: [string, string, number, number | null, number, number | null, string | null, boolean][] = [
  ['o1', 'e1', 6, 1, T0, null, 'k1', true],
  ['o1', 'e1', 6, null, T0, null, 'k1b', true],
  ['o1', 'e2', 9, null, T0, null, 'k2', true],
  ['o1', 'e2', 9, null, T0, T0 + 120_000, 'k3', true],
  ['o1', 'e3', 1, 0, T0, null, 'k-existing', true],
  ['o1', 'e4', 1, 0, T0, null, null, true],
  ['o1', 'e5', 1, 0, T0, null, 'k5', true],
  ['o1', 'e6', 1, 0, T0, null, 'k5', true],
  ['o2', 'e1', 100, 0, T0, null, 'ko', false],
  ['o2', 'e1', 101, 0, T0, null, null, false],
  ['o2', 'e7', 2, 0, T0, null, 'ko', false],
  ['o3', 'f1', 3, 0, T0, null, 'k-o3', true],
  ['o1', 'e8', 1, null, T0, null, 'k8', true],
];

// The per-element count the set-based batch replaced: the reference, created in the test's schema.
const COUNT_ORG = readFileSync(new URL('./fixtures/countOrg.sql', import.meta.url), 'utf8');

async function seeded(): Promise<string> {
  const schema = uniqueSchema('inline');
  await migrate({ pool, schema });
  const c = await pool.connect();
  try {
    await c.query(`SET search_path TO "${schema}"`);
    await c.query(COUNT_ORG);
  } finally {
    await c.query('RESET search_path');
    c.release();
  }
  const forgotten = Array.from({ length: 200 }, (_, i) => `('o3', 'f${i}', NULL, 2, NULL, NULL, NULL, ${T0 - 100 - i})`).join(', ');
  await pool.query(`INSERT INTO "${schema}".cloudmfa_otp_guard (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at) VALUES
    ('o1', 'e1', 5, 0, NULL, 0, ${T0 - 30_000}, NULL),
    ('o1', 'e2', 7, 5, ${T0 + 60_000}, NULL, ${T0 - 30_000}, NULL),
    ('o1', 'e3', NULL, 2, NULL, NULL, NULL, ${T0 - 1}),
    ('o2', 'e1', NULL, 1, NULL, NULL, NULL, ${T0 + 1_000_000}),
    ('o1', 'e8', NULL, 3, NULL, 5, ${T0 - 60_000}, ${T0 - 1}),
    ('o1', 'e9', NULL, 6, ${T0 - 50}, 2, ${T0 - 60_000}, ${T0 - 1}), ${forgotten}`);
  await pool.query(`INSERT INTO "${schema}".cloudmfa_audit (org, at, kind, enrolment_id, user_id, detail, entry_key)
    VALUES ('o1', ${T0 - 5}, 'otp.accepted', 'e0', 'u0', '{"old":true}', 'k-existing')`);
  return schema;
}

const col = <T>(rows: unknown[][], i: number) => rows.map((r) => r[i]) as T[];

async function tables(schema: string) {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    guard: await q(`SELECT * FROM "${schema}".cloudmfa_otp_guard ORDER BY org, enrolment_id`),
    audit: await q(`SELECT seq, org, at, kind, enrolment_id, user_id, detail::text, entry_key FROM "${schema}".cloudmfa_audit ORDER BY seq`),
    outbox: await q(`SELECT org, entry_key, at, kind, enrolment_id, user_id, detail::text FROM "${schema}".cloudmfa_audit_outbox ORDER BY org, entry_key`),
  };
}

it('the batch functions answer and write as the per-element functions do, element by element', async () => {
  const a = await seeded();
  const b = await seeded();
  try {
    const n = COUNTS.length;
    const countArgs = [col<string>(COUNTS, 0), col<string>(COUNTS, 1), col<number>(COUNTS, 2), Array(n).fill(P.free), Array(n).fill(P.base),
      Array(n).fill(P.max), Array(n).fill(P.lf), Array(n).fill(P.lms), col<number | null>(COUNTS, 3), col<boolean>(COUNTS, 4)];
    const m = CONSUMES.length;
    const details = CONSUMES.map((c, i) => JSON.stringify({ step: c[2], i }));
    const consumeArgs = [col<string>(CONSUMES, 0), col<string>(CONSUMES, 1), col<number>(CONSUMES, 2), col<number | null>(CONSUMES, 3),
      col<number>(CONSUMES, 4), col<number | null>(CONSUMES, 5), col<string | null>(CONSUMES, 6), Array(m).fill('otp.accepted'),
      CONSUMES.map((c) => `user-${c[1]}`), details, col<boolean>(CONSUMES, 7)];

    const batch = await pool.connect();
    let batchRows: unknown[] = [];
    try {
      await batch.query('BEGIN');
      const c = await batch.query(`SELECT * FROM "${a}".cloudmfa_otp_count_batch($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[],
        $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::boolean[])`, countArgs);
      const k = await batch.query(`SELECT * FROM "${a}".cloudmfa_otp_consume_log_batch($1::text[], $2::text[], $3::bigint[], $4::integer[],
        $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::json[], $11::boolean[])`, consumeArgs);
      batchRows = [...c.rows, ...k.rows.map((r) => ({ ...r, r_a_detail: r.r_a_detail === null ? null : JSON.stringify(r.r_a_detail) }))];
      await batch.query('COMMIT');
    } finally {
      batch.release();
    }

    const ref = await pool.connect();
    const refRows: unknown[] = [];
    try {
      await ref.query('BEGIN');
      for (let i = 0; i < n; i++) {
        const r = await ref.query(`SELECT $1::integer AS r_index, c.* FROM "${b}".cloudmfa_otp_count_org($2, $3, $4::bigint, $5::bigint, $6::bigint,
          $7::bigint, $8::bigint, $9::bigint, $10::bigint, $11::boolean) AS c`, [i + 1, ...countArgs.map((x) => x[i])]);
        refRows.push(...r.rows);
      }
      for (let i = 0; i < m; i++) {
        const [org, id, step, drift, now, unlock, key, log] = CONSUMES[i]!;
        const c = (await ref.query(`SELECT * FROM "${b}".cloudmfa_otp_consume_org($1, $2, $3::bigint, $4::integer, $5::bigint, $6::bigint, $7, $8, $9, $10, $11::json)`,
          [org, id, step, drift, now, unlock, log ? null : key, 'otp.accepted', id, `user-${id}`, details[i]])).rows[0];
        let ev = { r_a_seq: null, r_a_at: null, r_a_kind: null, r_a_enrolment_id: null, r_a_user_id: null, r_a_detail: null } as Record<string, unknown>;
        if (c.r_outcome === 'ok' && log) {
          const e = (await ref.query(`SELECT * FROM "${b}".cloudmfa_audit_append_org($1, $2::bigint, $3, $4, $5, $6::json, $7)`,
            [org, now, 'otp.accepted', id, `user-${id}`, details[i], key])).rows[0];
          ev = { r_a_seq: e.r_seq, r_a_at: e.r_at, r_a_kind: e.r_kind, r_a_enrolment_id: e.r_enrolment_id, r_a_user_id: e.r_user_id, r_a_detail: JSON.stringify(e.r_detail) };
        }
        refRows.push({ r_index: i + 1, ...c, ...ev });
      }
      await ref.query('COMMIT');
    } finally {
      ref.release();
    }

    expect(batchRows).toEqual(refRows);
    // Every kind of answer is in the scenario.
    expect(new Set(batchRows.map((r) => (r as { r_outcome: string }).r_outcome))).toEqual(new Set(['ok', 'locked', 'replayed']));
    const ta = await tables(a);
    expect(ta).toEqual(await tables(b));
    // The purge ran (forgotten guards of o3 went), the existing key answered the stored event.
    expect(ta.guard.filter((g) => g.org === 'o3').length).toBeLessThan(200);
    expect(batchRows).toContainEqual(expect.objectContaining({ r_a_enrolment_id: 'e0', r_a_detail: '{"old":true}' }));
  } finally {
    await dropSchema(pool, a);
    await dropSchema(pool, b);
  }
});

// [org, at, kind, enrolmentId, userId, key]: new keys, a key the log holds, the same key twice
// (and across organisations), unkeyed appends, two organisations.
const APPENDS: [string, number, string, string | null, string | null, string | null][] = [
  ['o1', T0, 'otp.accepted', 'e1', 'u1', 'a1'],
  ['o1', T0 + 1, 'otp.accepted', 'e2', 'u2', 'k-existing'],
  ['o1', T0 + 2, 'otp.accepted', 'e3', 'u3', 'a2'],
  ['o1', T0 + 3, 'otp.accepted', 'e4', 'u4', 'a2'],
  ['o1', T0 + 4, 'enrolment.revoked', 'e5', null, null],
  ['o1', T0 + 5, 'enrolment.revoked', 'e5', null, null],
  ['o2', T0 + 6, 'otp.accepted', 'e1', 'u1', 'a1'],
  ['o2', T0 + 7, 'otp.accepted', null, 'u9', 'k-existing'],
  ['o2', T0 + 8, 'otp.accepted', 'e6', 'u6', 'a1'],
];

it('the append batch answers and writes as cloudmfa_audit_append_org does, element by element in array order', async () => {
  const a = await seeded();
  const b = await seeded();
  try {
    const details = APPENDS.map((_, i) => JSON.stringify({ i }));
    const args = [col<string>(APPENDS, 0), col<number>(APPENDS, 1), col<string>(APPENDS, 2), col<string | null>(APPENDS, 3),
      col<string | null>(APPENDS, 4), details, col<string | null>(APPENDS, 5)];
    const norm = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, r_detail: JSON.stringify(r.r_detail) });
    const batchRows = (await pool.query(`SELECT * FROM "${a}".cloudmfa_audit_append_batch($1::text[], $2::bigint[], $3::text[], $4::text[],
      $5::text[], $6::json[], $7::text[]) ORDER BY r_index`, args)).rows.map(norm);
    const ref = await pool.connect();
    const refRows: unknown[] = [];
    try {
      await ref.query('BEGIN');
      for (let i = 0; i < APPENDS.length; i++) {
        const r = await ref.query(`SELECT $1::integer AS r_index, e.* FROM "${b}".cloudmfa_audit_append_org($2, $3::bigint, $4, $5, $6, $7::json, $8) AS e`,
          [i + 1, ...args.map((x) => x[i])]);
        refRows.push(...r.rows.map(norm));
      }
      await ref.query('COMMIT');
    } finally {
      ref.release();
    }
    expect(batchRows).toEqual(refRows);
    expect(batchRows).toHaveLength(APPENDS.length);
    // The held key answered the stored event; the repeated key the first element's.
    expect(batchRows[1]).toMatchObject({ r_enrolment_id: 'e0', r_detail: '{"old":true}' });
    expect(batchRows[3]).toMatchObject({ r_seq: batchRows[2]!.r_seq, r_enrolment_id: 'e3' });
    expect(await tables(a)).toEqual(await tables(b));
  } finally {
    await dropSchema(pool, a);
    await dropSchema(pool, b);
  }
});

it('the append batch needs no right on the sequence: a role with only table rights appends through it', async () => {
  const s = await seeded();
  const role = `cmfa_app_${s.slice(-12).replace(/[^a-z0-9_]/g, '')}`;
  await pool.query(`CREATE ROLE "${role}" LOGIN`);
  await pool.query(`GRANT USAGE ON SCHEMA "${s}" TO "${role}"`);
  await pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${s}" TO "${role}"`);
  const app = new pg.Client({ connectionString: DATABASE_URL.replace('//postgres@', `//${role}@`) });
  await app.connect();
  try {
    const rows = (await app.query(`SELECT r_index, r_enrolment_id FROM "${s}".cloudmfa_audit_append_batch($1::text[], $2::bigint[], $3::text[],
      $4::text[], $5::text[], $6::json[], $7::text[]) ORDER BY r_index`,
      [['o1', 'o1', 'o1', 'o1'], [T0, T0, T0, T0], Array(4).fill('otp.accepted'), ['e1', 'e2', 'e3', 'e4'], ['u', 'u', 'u', 'u'],
        Array(4).fill('{}'), ['n1', 'n1', 'k-existing', null]])).rows;
    expect(rows).toEqual([
      { r_index: 1, r_enrolment_id: 'e1' },
      { r_index: 2, r_enrolment_id: 'e1' },
      { r_index: 3, r_enrolment_id: 'e0' },
      { r_index: 4, r_enrolment_id: 'e4' },
    ]);
  } finally {
    await app.end();
    await dropSchema(pool, s);
    await pool.query(`DROP OWNED BY "${role}"`);
    await pool.query(`DROP ROLE "${role}"`);
  }
});

it('a batch function given arrays of different lengths refuses the call (invalid_parameter_value) and writes nothing', async () => {
  const s = await seeded();
  try {
    const before = await tables(s);
    const calls = [
      `SELECT * FROM "${s}".cloudmfa_otp_count_batch('{o1,o1}', '{e1}', '{${T0}}', '{0}', '{0}', '{0}', '{5}', '{0}', '{NULL}', '{true}')`,
      `SELECT * FROM "${s}".cloudmfa_otp_consume_log_batch('{o1}', '{e1}', '{9}', '{0}', '{${T0}}', '{NULL}', '{k}', '{otp.accepted}', '{u}', '{}', '{true}')`,
      `SELECT * FROM "${s}".cloudmfa_audit_append_batch('{o1}', '{${T0}}', '{otp.accepted}', '{e1}', '{u}', ARRAY['{}']::json[], NULL)`,
    ];
    for (const sql of calls) {
      const name = /cloudmfa_\w+_batch/.exec(sql)![0];
      await expect(pool.query(sql)).rejects.toMatchObject({ code: '22023', message: `${name}: arrays of different lengths` });
    }
    expect(await tables(s)).toEqual(before);
  } finally {
    await dropSchema(pool, s);
  }
});
