// verifyOtp end to end, two builds side by side: `node bench/compare/verify.mjs <checkoutA>
// <checkoutB> [store...]` (stores: memory sqlite postgres redis postgres+redis
// redis+autopipelining; a side written `<checkout>|<store>` uses that store instead, to
// compare two stores of one build). Both sides are set up first, each in its own process, then
// 3 rounds of 3 s alternate A and B, so load from elsewhere on a shared machine hits both
// alike. Prints per store the median verifications/s of each side, every round, the median CPU
// per verify of each process and the load average. Checkouts need their packages built.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const [a, b, ...rest] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/compare/verify.mjs <checkoutA> <checkoutB> [store...]');
const stores = rest.length ? rest : ['memory', 'sqlite', 'postgres', 'redis', 'postgres+redis'];
const child = fileURLToPath(new URL('./verify-child.mjs', import.meta.url));
const ROUNDS = 3;
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

function open(side, kind) {
  const [root, own] = side.split('|');
  const c = spawn(process.execPath, [child, root, own ?? kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  // Lines not yet asked for wait in `arrived` (one side may be ready before the other is asked).
  const waiting = [];
  const arrived = [];
  c.stdout.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) {
      const line = JSON.parse(buf.slice(0, i));
      const w = waiting.shift();
      if (w) w(line);
      else arrived.push(line);
    }
  });
  const next = () => (arrived.length ? Promise.resolve(arrived.shift()) : new Promise((resolve) => waiting.push(resolve)));
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
