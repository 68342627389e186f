// The SQLite store calls of one verifyOtp acceptance, without the server (no crypto, no HMAC):
// `node bench/compare/sqlite-calls.mjs <today|attempt> [full|normal] [ms]`. 64 callers in flight on
// 1,024 enrolments, each call awaited in turn, as timedRun drives the server bench:
//   today:   enrolments.get, guard.get, guard.recordFailure, guard.consume with its outbox entry,
//            audit.append, guard.settleAudit (the facade before guard.attempt)
//   attempt: enrolments.get, guard.attempt, guard.consume with its entry and auditLog: the store's
//            own log, so the entry is logged in the consume's transaction (docs/storage.md section 5)
// Prints verifications/s, Node CPU (user + system) per verification, and store calls/s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THROTTLE_POLICY } from '@cloudmfa/storage';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { timedRun, T0 } from '../src/_server-setup.mjs';

const [variant = 'attempt', sync = 'full', ms = '3000'] = process.argv.slice(2);
if (!['today', 'attempt'].includes(variant)) throw new Error('variant: today | attempt');
const N = 1024;
const dir = mkdtempSync(join(tmpdir(), 'cmfa-sqlite-calls-'));
const store = openSqliteStore({ path: join(dir, 'bench.db'), clock: () => T0, synchronous: sync });
const create = (i) => store.enrolments.create({ id: `e${i}`, userId: `u${i}`, secret: new Uint8Array(48).fill(i & 255), expiresAt: T0 + 3_600_000 });
for (let i = 0; i < N; i += 64) await Promise.all(Array.from({ length: 64 }, (_, j) => create(i + j)));
const steps = new Array(N).fill(0);
let next = 0;
let calls = 0;
const policy = DEFAULT_THROTTLE_POLICY;

async function verify() {
  const i = next++ % N;
  const id = `e${i}`;
  const step = ++steps[i];
  const audit = { key: `k${i}_${step}`, kind: 'otp.accepted', enrolmentId: id, userId: `u${i}`, detail: { step } };
  const rec = await store.enrolments.get(id);
  if (!rec) throw new Error('no enrolment');
  if (variant === 'today') {
    await store.guard.get(id);
    await store.guard.recordFailure(id, policy);
    const r = await store.guard.consume(id, step, { audit });
    await store.audit.append(audit);
    await store.guard.settleAudit(audit);
    calls += 6;
    return r;
  }
  const a = await store.guard.attempt(id, policy);
  if (!a.ok) throw new Error('locked');
  const r = await store.guard.consume(id, step, { audit, auditLog: store.audit });
  if (r.ok && !r.logged) throw new Error('not logged directly');
  calls += 3;
  return r;
}

await timedRun(verify, { ms: 1000, inFlight: 64 });
calls = 0;
const c0 = process.cpuUsage();
const r = await timedRun(verify, { ms: Number(ms), inFlight: 64 });
const c = process.cpuUsage(c0);
const seconds = (r.ok + r.refused) / r.perSecond;
const cpu = ((c.user + c.system) / (r.ok + r.refused)).toFixed(1);
console.log(`${variant} synchronous=${sync}: ${Math.round(r.perSecond)} verifications/s, ${cpu} us CPU/verification, ${Math.round(calls / seconds)} store calls/s (${r.ok} ok, ${r.refused} refused; ${next} verifications in all, warm-up included)`);
await store.close();
rmSync(dir, { recursive: true, force: true });
