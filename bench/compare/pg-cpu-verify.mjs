// PostgreSQL's CPU per verification: `node --expose-gc bench/compare/pg-cpu-verify.mjs [checkout]
// [seconds]` runs verifyOtp end to end on PostgreSQL as bench/src/server.mjs does (64 in flight,
// lap clock, every call an acceptance) with the bench setup of <checkout> (default: this one),
// and prints verifications/s, the Node process's CPU per verification, the CPU of this run's
// PostgreSQL backends per verification (utime + stime from /proc/<pid>/stat, Linux, the server on
// this machine; the backends are found by application_name) and of every postgres process (the
// WAL writer and checkpointer included; on a shared machine, other clients' backends too).
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? new URL('../..', import.meta.url).pathname);
const ms = Number(process.argv[3] ?? 3) * 1000;
const app = `cmfa_pgcpu_${process.pid}`;
process.env.CLOUDMFA_BENCH_PG_URL = `postgres://postgres@127.0.0.1:5432/test?application_name=${app}`;
const { benchServer, lapClock, openBenchStore, timedRun } = await import(pathToFileURL(join(root, 'bench/src/_server-setup.mjs')).href);
// Counts the statements (one socket write each) the store sends.
const { createRequire } = await import('node:module');
const pg = createRequire(join(root, 'packages/storage-postgres/package.json'))('pg');
let statements = 0;
const poolQuery = pg.Pool.prototype.query;
pg.Pool.prototype.query = function (...args) {
  statements++;
  return poolQuery.apply(this, args);
};
const TICK = 100; // USER_HZ on Linux
const cpuOf = (pids) => {
  let t = 0;
  for (const p of pids) {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8');
      const a = f.slice(f.lastIndexOf(')') + 2).split(' ');
      t += Number(a[11]) + Number(a[12]);
    } catch {}
  }
  return (t / TICK) * 1e6; // us
};
const allPostgres = () => execFileSync('pgrep', ['-x', 'postgres']).toString().trim().split('\n').map(Number);
const lap = lapClock();
const { store, close } = await openBenchStore('postgres', lap.clock);
const { verifyNext } = await benchServer(store, lap);
await timedRun(verifyNext, { ms: 1000, inFlight: 64 });
const q = execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', 'test', '-Atc', `SELECT pid FROM pg_stat_activity WHERE application_name = '${app}'`]);
const mine = q.toString().trim().split('\n').filter(Boolean).map(Number);
const all = allPostgres();
const m0 = cpuOf(mine), a0 = cpuOf(all), c0 = process.cpuUsage(), s0 = statements;
const r = await timedRun(verifyNext, { ms, inFlight: 64 });
const c = process.cpuUsage(c0), m1 = cpuOf(mine), a1 = cpuOf(all);
const n = r.ok + r.refused;
console.log(`${Math.round(r.perSecond)} /s ${r.ok} ok ${r.refused} refused; node ${((c.user + c.system) / n).toFixed(0)} us/verify;`,
  `pg backends (${mine.length}) ${((m1 - m0) / n).toFixed(0)} us/verify; all postgres ${((a1 - a0) / n).toFixed(0)} us/verify;`,
  `${((statements - s0) / n).toFixed(3)} statements/verify`);
// HOT updates of this run's tables (an update that changes no indexed column and finds room on
// its page writes no index entry).
const st = execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', 'test', '-Atc', `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del
  FROM pg_stat_user_tables WHERE schemaname LIKE 'cmfa_bench_server_${process.pid}_%' AND n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY relname`]);
console.log('table|ins|upd|hot_upd|del\n' + st.toString().trim());
await close();
process.exit(0);
