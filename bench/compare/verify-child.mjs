// One side of compare/verify.mjs: `node verify-child.mjs <checkout> <store>` sets up the bench
// server of that checkout (its bench/src/_server-setup.mjs and its built packages) on one
// store, prints {"ready":true}, then answers each `run <ms>` line with one timed run (64 in
// flight) as JSON: verifications per second, refusals, and this process's CPU per verify.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const [root, kind] = process.argv.slice(2);
const setup = await import(pathToFileURL(`${root}/bench/src/_server-setup.mjs`).href);
const lap = setup.lapClock();
const { store, close, serverOptions } = await setup.openBenchStore(kind, lap.clock);
// `serverOptions` and `settle` (background audit moves, inside the timed window) where the
// checkout's setup has them; an older checkout's has neither, and they are undefined.
const { verifyNext, settle } = await setup.benchServer(store, lap, { serverOptions });
await setup.timedRun(verifyNext, { ms: 500, inFlight: 64, settle });
console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.startsWith('run ')) break;
  const cpu = process.cpuUsage();
  const r = await setup.timedRun(verifyNext, { ms: Number(line.slice(4)), inFlight: 64, settle });
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ perSecond: r.perSecond, refused: r.refused, cpuUs: (used.user + used.system) / (r.ok + r.refused) }));
}
await close();
process.exit(0);
