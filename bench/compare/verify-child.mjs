// One side of compare/verify.mjs: `node verify-child.mjs <checkout> <store>` sets up the bench
// server of that checkout (its bench/src/_server-setup.mjs and its built packages) on one
// store, prints {"ready":true}, then answers each `run <ms>` line with one timed run (64 in
// flight) as JSON: verifications per second, refusals, and this process's CPU per verify.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const [root, kind] = process.argv.slice(2);
const setup = await import(pathToFileURL(`${root}/bench/src/_server-setup.mjs`).href);
const lap = setup.lapClock();
const { store, close } = await setup.openBenchStore(kind, lap.clock);
const { verifyNext } = await setup.benchServer(store, lap);
await setup.timedRun(verifyNext, { ms: 500, inFlight: 64 });
console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.startsWith('run ')) break;
  const cpu = process.cpuUsage();
  const r = await setup.timedRun(verifyNext, { ms: Number(line.slice(4)), inFlight: 64 });
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ perSecond: r.perSecond, refused: r.refused, cpuUs: (used.user + used.system) / (r.ok + r.refused) }));
}
await close();
process.exit(0);
