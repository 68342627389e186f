// The device route `POST /v1/push/poll` through two builds' HTTP adapters, side by side in one
// process: `node bench/compare/http.mjs <checkoutA> <checkoutB> [store] [rounds]` (store memory
// or redis, default memory; 6 rounds). Each round runs autocannon (64 connections, 4 s) against
// A's and B's createNodeHandler, then A's and B's createHttpHandler, the order of A and B
// alternating between rounds; the facade is this checkout's, so only the adapters differ.
// Prints every round and the median CPU per call of each. Checkouts need packages/server built.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { jsonLines } from '../src/_measure.mjs';

const [a, b, kind = 'memory', rounds = '6'] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/compare/http.mjs <checkoutA> <checkoutB> [store] [rounds]');
const child = spawn(process.execPath, [fileURLToPath(new URL('./http-child.mjs', import.meta.url)), kind, a, b], { stdio: ['pipe', 'pipe', 'inherit'] });
const next = jsonLines(child);
const ask = (c) => {
  child.stdin.write(`${c}\n`);
  return next();
};
const { urls } = await next();
const res = {};
const loads = [];
for (let r = 0; r < Number(rounds); r++) {
  const body = JSON.stringify({ request: (await ask('token')).token });
  const order = r % 2 ? ['node:B', 'node:A', 'fetch:B', 'fetch:A'] : ['node:A', 'node:B', 'fetch:A', 'fetch:B'];
  for (const k of order) {
    await ask('stats');
    const load = await autocannon({
      url: urls[k],
      connections: 64,
      duration: 4,
      requests: [{ method: 'POST', path: '/v1/push/poll', headers: { 'content-type': 'application/json' }, body }],
    });
    const s = await ask('stats');
    (res[k] ??= []).push(s.us);
    loads.push(loadavg()[0]);
    console.log(`r${r} ${k}: ${s.us.toFixed(1)} us CPU per call, ${load.requests.average.toFixed(0)}/s, ${s.ok} ok, ${s.refused} refused, non-2xx ${load.non2xx}, load ${loadavg()[0].toFixed(2)}`);
  }
}
const med = (xs) => {
  const y = xs.slice().sort((p, q) => p - q);
  const m = y.length >> 1;
  return y.length % 2 ? y[m] : (y[m - 1] + y[m]) / 2;
};
for (const k of Object.keys(res)) console.log(`${k}: median ${med(res[k]).toFixed(1)} us (${res[k].map((x) => x.toFixed(0)).join(', ')})`);
console.log(`load ${Math.min(...loads).toFixed(2)}..${Math.max(...loads).toFixed(2)}`);
child.stdin.write('stop\n');
setTimeout(() => process.exit(0), 3000);
