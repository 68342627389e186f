// The store calls of one verification on PostgreSQL, without the server (no crypto, no facade):
// `node bench/compare/pg-verify-calls.mjs <checkout> <old|new> [seconds]` opens the adapter of
// <checkout> (its packages/storage-postgres/dist) in a fresh schema with 1,024 active
// enrolments and runs, 64 in flight, each call one acceptance:
//   old: enrolments.get, guard.get, guard.recordFailure, guard.consume({ audit }),
//        audit.append (keyed), guard.settleAudit  (the server before guard.attempt)
//   new: enrolments.get, guard.attempt, guard.consume({ audit, auditLog: store.audit })
//        (append + settle only when consume answered without `logged`)
// and prints verifications/s (median of 3 rounds), the Node process's CPU per verification and
// the statements sent per verification.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, mode, secondsArg] = process.argv.slice(2);
if (!root || (mode !== 'old' && mode !== 'new')) throw new Error('usage: node bench/compare/pg-verify-calls.mjs <checkout> <old|new> [seconds]');
const dir = resolve(root, 'packages/storage-postgres');
const { migrate, openPostgresStore } = await import(pathToFileURL(join(dir, 'dist/index.js')).href);
const pg = createRequire(join(dir, 'package.json'))('pg');
const URL = process.env.CLOUDMFA_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = 1024;
const T0 = Date.UTC(2026, 0, 1);
const POLICY = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 300_000, lockoutFailures: 10, lockoutMs: 900_000 };
const ms = Number(secondsArg ?? 3) * 1000;

const schema = `cmfa_bench_calls_${process.pid}`;
const pool = new pg.Pool({ connectionString: URL, max: 16 });
pool.on('error', () => {});
// Counts the statements the store sends (one socket write each).
let statements = 0;
const query = pool.query.bind(pool);
pool.query = (...args) => (statements++, query(...args));
let calls = 0;
const clock = () => T0 + Math.floor(calls / N) * 30_000;
try {
  await migrate({ pool, schema });
  const store = await openPostgresStore({ pool, schema, clock });
  const ids = [];
  for (let i = 0; i < N; i++) {
    const e = await store.enrolments.create({ id: `e${i}`, userId: `user-${i}`, secret: new Uint8Array(20).fill(i & 255), expiresAt: T0 + 60_000 });
    await store.enrolments.redeem(e.id, {});
    ids.push(e.id);
  }
  let failed = 0;
  const verify = async () => {
    const j = calls++;
    const id = ids[j % N];
    const step = 1 + Math.floor(j / N);
    const rec = await store.enrolments.get(id);
    if (!rec) throw new Error('enrolment missing');
    const audit = { key: `k${j}`, kind: 'otp.accepted', enrolmentId: id, userId: rec.userId, detail: { method: 'totp', delta: 0, step } };
    if (mode === 'old') {
      await store.guard.get(id);
      await store.guard.recordFailure(id, POLICY);
      const r = await store.guard.consume(id, step, { audit });
      if (!r.ok) return failed++;
      await store.audit.append(audit);
      await store.guard.settleAudit(audit);
    } else {
      const a = await store.guard.attempt(id, POLICY);
      if (!a.ok) return failed++;
      const r = await store.guard.consume(id, step, { audit, auditLog: store.audit });
      if (!r.ok) return failed++;
      if (!r.logged) {
        await store.audit.append(audit);
        await store.guard.settleAudit(audit);
      }
    }
  };
  const round = async (duration) => {
    let done = 0;
    const start = performance.now();
    const end = start + duration;
    const c0 = process.cpuUsage();
    const s0 = statements;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (performance.now() < end) {
          await verify();
          done++;
        }
      }),
    );
    const c = process.cpuUsage(c0);
    return { perSecond: (done * 1000) / (performance.now() - start), cpu: (c.user + c.system) / done, statements: (statements - s0) / done };
  };
  await round(500);
  const rounds = [];
  for (let i = 0; i < 3; i++) rounds.push(await round(ms));
  rounds.sort((a, b) => a.perSecond - b.perSecond);
  const m = rounds[1];
  console.log(`${mode}: ${Math.round(m.perSecond)} verifications/s (rounds ${rounds.map((r) => Math.round(r.perSecond)).join(', ')}), ${m.cpu.toFixed(0)} us CPU/verification, ${m.statements.toFixed(2)} statements/verification, refused ${failed}`);
  await store.close();
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await pool.end();
}
