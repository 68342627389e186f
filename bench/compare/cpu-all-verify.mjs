// CPU per verification of every process the verification runs in: `node --expose-gc
// bench/compare/cpu-all-verify.mjs <checkout> [store]` (store as in verify.mjs, default
// postgres+redis) runs verifyOtp on <checkout>'s build as bench/src/server.mjs does (64 in
// flight, every call an acceptance, background audit moves flushed inside the window), 3 rounds
// of 3 s, and prints per round verifications/s and the CPU time per verification of this Node
// process, of every PostgreSQL process and of every Redis process of the machine (from
// /proc/<pid>/stat, so Linux only; a backend that exits during a round takes its time with it,
// and anything else those servers run is counted too: run it on a quiet machine).
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [root, kind = 'postgres+redis'] = process.argv.slice(2);
if (!root) throw new Error('usage: node --expose-gc bench/compare/cpu-all-verify.mjs <checkout> [store]');
const { benchServer, lapClock, openBenchStore, timedRun } = await import(pathToFileURL(`${root}/bench/src/_server-setup.mjs`).href);
const TICKS_PER_SECOND = 100; // USER_HZ

function serverCpuUs() {
  const out = { postgres: 0, redis: 0 };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const us = ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6; // utime + stime
    if (name.startsWith('postgres')) out.postgres += us;
    else if (name.startsWith('redis')) out.redis += us;
  }
  return out;
}

const lap = lapClock();
const { store, close, serverOptions } = await openBenchStore(kind, lap.clock);
try {
  const { verifyNext, settle } = await benchServer(store, lap, { serverOptions });
  await timedRun(verifyNext, { ms: 1000, inFlight: 64, settle });
  for (let r = 0; r < 3; r++) {
    const servers = serverCpuUs();
    const node = process.cpuUsage();
    const run = await timedRun(verifyNext, { ms: 3000, inFlight: 64, settle });
    const after = serverCpuUs();
    const used = process.cpuUsage(node);
    const per = (us) => Math.round(us / run.ok);
    console.log(JSON.stringify({
      store: kind,
      perSecond: Math.round(run.perSecond),
      refused: run.refused,
      usPerVerify: { node: per(used.user + used.system), postgres: per(after.postgres - servers.postgres), redis: per(after.redis - servers.redis) },
    }));
  }
} finally {
  await close();
}
