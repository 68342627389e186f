// verifyOtp end to end, two builds side by side: `node bench/compare/verify.mjs <checkoutA>
// <checkoutB> [store...]` (stores: memory sqlite postgres redis postgres+redis
// redis+autopipelining postgres+redis+bg (PostgreSQL + Redis, auditMove 'background'; each
// timed round ends after its moves are flushed); a side written `<checkout>|<store>` uses that store instead, to
// compare two stores of one build). Both sides are set up first, each in its own process, then
// 3 rounds of 3 s alternate A and B, so load from elsewhere on a shared machine hits both
// alike. Prints per store the median verifications/s of each side, every round, the median CPU
// per verify of each process and the load average. Checkouts need their packages built.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jsonLines, median } from '../src/_measure.mjs';

const [a, b, ...rest] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/compare/verify.mjs <checkoutA> <checkoutB> [store...]');
const stores = rest.length ? rest : ['memory', 'sqlite', 'postgres', 'redis', 'postgres+redis'];
const child = fileURLToPath(new URL('./verify-child.mjs', import.meta.url));
const ROUNDS = 3;

function open(side, kind) {
  const [root, own] = side.split('|');
  const c = spawn(process.execPath, [child, root, own ?? kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const next = jsonLines(c);
  return { next, ask: (cmd) => (c.stdin.write(`${cmd}\n`), next()), stop: () => c.stdin.write('stop\n') };
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
for (const kind of stores) {
  const loadAtStart = load();
  const sides = { A: open(a, kind), B: open(b, kind) };
  for (const s of Object.values(sides)) await s.next();
  const runs = { A: [], B: [] };
  for (let r = 0; r < ROUNDS; r++) for (const k of ['A', 'B']) runs[k].push(await sides[k].ask('run 3000'));
  for (const s of Object.values(sides)) s.stop();
  const side = (k) => ({
    perSecond: Math.round(median(runs[k].map((x) => x.perSecond))),
    rounds: runs[k].map((x) => Math.round(x.perSecond)),
    cpuUsPerVerify: Math.round(median(runs[k].map((x) => x.cpuUs))),
    refused: runs[k].reduce((n, x) => n + x.refused, 0),
  });
  console.log(JSON.stringify({ store: kind, A: side('A'), B: side('B'), load: { start: loadAtStart, end: load() } }));
}
