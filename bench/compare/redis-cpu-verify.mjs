// redis-server's CPU per verification, two builds side by side: `node
// bench/compare/redis-cpu-verify.mjs <checkoutA> <checkoutB> [store...]` (stores: redis,
// postgres+redis, redis+autopipelining; default redis and postgres+redis). Each side is the
// bench server of its checkout in its own process (verify-child.mjs), then 3 rounds of 3 s
// alternate A and B; around each run the CPU of the redis-server the bench uses (on this machine; utime + stime from
// /proc/<pid>/stat, Linux) is read. Prints per store and side the median verifications/s, Node
// CPU per verify and redis-server CPU per verify. On a shared machine other clients of the
// same redis-server count too: compare sides of one run, not runs.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonLines, median } from '../src/_measure.mjs';

const [a, b, ...rest] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/compare/redis-cpu-verify.mjs <checkoutA> <checkoutB> [store...]');
const stores = rest.length ? rest : ['redis', 'postgres+redis'];
const child = fileURLToPath(new URL('./verify-child.mjs', import.meta.url));
// The server the bench setup uses (CLOUDMFA_BENCH_REDIS, default 127.0.0.1:6379; a private one
// keeps other clients' load out of the figure), found by its own process_id.
const [host, port] = (process.env.CLOUDMFA_BENCH_REDIS ?? '127.0.0.1:6379').split(':');
const pid = /process_id:(\d+)/.exec(execFileSync('redis-cli', ['-h', host, '-p', port, 'info', 'server']).toString())[1];
const redisCpuUs = () => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const s = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(s[11]) + Number(s[12])) / 100) * 1e6; // USER_HZ 100
};

function open(root, kind) {
  const c = spawn(process.execPath, [child, root, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const next = jsonLines(c);
  return { next, ask: (cmd) => (c.stdin.write(`${cmd}\n`), next()), stop: () => c.stdin.write('stop\n') };
}

for (const kind of stores) {
  const sides = { A: open(a, kind), B: open(b, kind) };
  for (const s of Object.values(sides)) await s.next();
  const runs = { A: [], B: [] };
  for (let r = 0; r < 3; r++) {
    for (const k of ['A', 'B']) {
      const r0 = redisCpuUs();
      const x = await sides[k].ask('run 3000');
      const verifies = (x.perSecond * 3000) / 1000;
      runs[k].push({ ...x, redisUs: (redisCpuUs() - r0) / verifies });
    }
  }
  for (const s of Object.values(sides)) s.stop();
  const side = (k) => ({
    perSecond: Math.round(median(runs[k].map((x) => x.perSecond))),
    nodeUsPerVerify: Math.round(median(runs[k].map((x) => x.cpuUs))),
    redisUsPerVerify: Math.round(median(runs[k].map((x) => x.redisUs))),
  });
  console.log(JSON.stringify({ store: kind, A: side('A'), B: side('B') }));
}
