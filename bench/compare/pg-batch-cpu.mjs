// PostgreSQL's CPU in the two write batches of a verification, without Node's share or the
// network: `node bench/compare/pg-batch-cpu.mjs <checkout> [rounds]` migrates a fresh schema with
// the adapter of <checkout> (its packages/storage-postgres/dist), puts 64 guards in it, and runs,
// in one session, rounds of one 64-element cloudmfa_otp_count_batch (every count writes) then one
// 64-element cloudmfa_otp_consume_log_batch (every step accepted, logged with a new key), each
// its own transaction. Prints the backend's CPU (utime + stime of /proc/<backend pid>/stat, 10 ms
// ticks, so use many rounds; default 300) per element of each, over a second run of the rounds
// (the first warms the plan caches).
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const root = resolve(process.argv[2]);
const dir = join(root, 'packages/storage-postgres');
const { migrate } = await import(pathToFileURL(join(dir, 'dist/index.js')).href);
const pg = createRequire(join(dir, 'package.json'))('pg');
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
const schema = `cmfa_bench_batch_cpu_${process.pid}`;
const T0 = Date.UTC(2026, 0, 1);
await migrate({ pool, schema });
const c = await pool.connect();
await c.query(`SET search_path TO "${schema}"`);
const N = 64, R = Number(process.argv[3] ?? 300);
const ids = Array.from({ length: N }, (_, i) => `e${String(i).padStart(4, '0')}`);
const orgs = ids.map(() => 'default');
await c.query(`INSERT INTO cloudmfa_otp_guard (org, enrolment_id, last_step, failures, locked_until, drift, last_used_at, expires_at)
  SELECT 'default', id, 1, 0, NULL, 0, ${T0}, NULL FROM unnest($1::text[]) id`, [ids]);
const f = (v) => ids.map(() => v);
let step = 2;
const times = { count: 0, consume: 0 };
const cpu = async () => {
  const { readFileSync } = await import('node:fs');
  const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;
  const a = readFileSync(`/proc/${pid}/stat`, 'utf8'); const x = a.slice(a.lastIndexOf(')') + 2).split(' ');
  return (Number(x[11]) + Number(x[12])) * 10_000; // us
};
for (let warm = 0; warm < 2; warm++) {
  let tc = 0, tk = 0;
  for (let r = 0; r < R; r++) {
    const now = T0 + (warm * R + r) * 30_000;
    const t0 = await cpu();
    await c.query(`SELECT count(*) FROM cloudmfa_otp_count_batch($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::boolean[])`,
      [orgs, ids, f(now), f(3), f(1000), f(300000), f(10), f(900000), f(86400000), f(true)]);
    const t1 = await cpu();
    await c.query(`SELECT count(*) FROM cloudmfa_otp_consume_log_batch($1::text[], $2::text[], $3::bigint[], $4::integer[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::json[], $11::boolean[])`,
      [orgs, ids, f(step++), f(0), f(now), f(null), ids.map((id) => `k${step}-${id}`), f('otp.accepted'), f('u'), f('{"method":"totp"}'), f(true)]);
    const t2 = await cpu();
    tc += t1 - t0; tk += t2 - t1;
  }
  if (warm) console.log(`count ${(tc / R / N).toFixed(1)} us/element, consume+log ${(tk / R / N).toFixed(1)} us/element (backend CPU incl. commit, ${R} rounds of one 64-element count batch then consume batch, every element counted ok then accepted)`);
}
c.release();
await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
await pool.end();
