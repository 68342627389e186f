// Migration 8's batch functions run with plan_cache_mode = force_generic_plan, so every statement
// in them is planned once, without its parameters' values. On a guard table large enough to
// have statistics, none of those generic plans may scan the whole guard or audit table: the
// plans actually executed inside the functions are read back through auto_explain (nested
// statements, sent to this client as notices), the purge of forgotten guards among them.
import { migrate } from '@cloudmfa/storage-postgres';
import type pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { dropSchema, testPool, uniqueSchema } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const pool = testPool(2);
const schema = uniqueSchema('plans');
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

/** The plans of every statement `run` executes on `client`, nested ones included. */
async function plans(client: pg.PoolClient, run: () => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  const onNotice = (n: { message?: string }) => {
    if (n.message?.startsWith('duration:')) out.push(n.message);
  };
  await client.query(`LOAD 'auto_explain'`);
  await client.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on;
    SET auto_explain.log_level = notice; SET client_min_messages = notice`);
  client.on('notice', onNotice);
  try {
    await run();
  } finally {
    client.off('notice', onNotice);
    await client.query('RESET auto_explain.log_min_duration');
  }
  return out;
}

it('no generic plan of the count and consume batches scans the guard or audit table, the purge of forgotten guards included', async () => {
  await migrate({ pool, schema });
  // 60,000 guards, a third of them forgotten (expires_at in the past), and 60,000 log rows.
  await pool.query(`INSERT INTO "${schema}".cloudmfa_otp_guard (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
    SELECT 'o' || (i % 50), 'e' || i, NULL, 1, NULL, NULL, NULL, CASE i % 3 WHEN 0 THEN ${T0} - i WHEN 1 THEN ${T0} + 86400000 END
    FROM generate_series(1, 60000) AS i`);
  await pool.query(`INSERT INTO "${schema}".cloudmfa_audit (org, at, kind, enrolment_id, user_id, detail, entry_key)
    SELECT 'o' || (i % 50), ${T0} - i, 'otp.accepted', 'e' || i, 'u', '{}', 'k' || i FROM generate_series(1, 60000) AS i`);
  await pool.query(`ANALYZE "${schema}".cloudmfa_otp_guard; ANALYZE "${schema}".cloudmfa_audit`);

  const client = await pool.connect();
  try {
    await client.query(`SET search_path = "${schema}"`);
    const got = await plans(client, async () => {
      await client.query('BEGIN');
      const ids = ['e1', 'e2', 'new1'];
      await client.query(`SELECT * FROM cloudmfa_otp_count_batch($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[],
        $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::boolean[])`,
        [['o1', 'o2', 'o3'], ids, [T0, T0, T0], [3, 3, 3], [1000, 1000, 1000], [300_000, 300_000, 300_000], [10, 10, 10],
          [900_000, 900_000, 900_000], [86_400_000, 86_400_000, 86_400_000], [true, true, false]]);
      await client.query(`SELECT * FROM cloudmfa_otp_consume_log_batch($1::text[], $2::text[], $3::bigint[], $4::integer[],
        $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::json[], $11::boolean[])`,
        [['o4', 'o5', 'o6'], ['e4', 'e5', 'new2'], [7, 7, 7], [0, 0, 0], [T0, T0, T0], [null, null, null], ['k4', 'kx', null],
          ['otp.accepted', 'otp.accepted', 'otp.accepted'], ['u', 'u', 'u'], ['{}', '{}', '{}'], [true, true, false]]);
      await client.query('COMMIT');
    });
    // The statements looked at: the purge, the counts' and consumes' locks and updates, the log's insert.
    expect(got.some((p) => /Delete on cloudmfa_otp_guard/.test(p))).toBe(true);
    expect(got.filter((p) => /Update on cloudmfa_otp_guard/.test(p)).length).toBeGreaterThanOrEqual(2);
    expect(got.filter((p) => /Insert on cloudmfa_otp_guard/.test(p)).length).toBeGreaterThanOrEqual(2);
    expect(got.some((p) => /Insert on cloudmfa_audit /.test(p))).toBe(true);
    for (const p of got) expect(p).not.toMatch(/Seq Scan on cloudmfa_(otp_guard|audit)\b/);
    // The purge ran: up to 8 per count that wrote, 3 here.
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".cloudmfa_otp_guard WHERE expires_at <= ${T0}`);
    expect(rows[0].n).toBe(20_000 - 24);
  } finally {
    client.release();
  }
});
