// @cloudmfa/server: verifyOtp end to end per second from one process with 64 in flight, on each
// store (memory, SQLite, PostgreSQL, Redis, and PostgreSQL + Redis as the reference server
// combines them); then the same verification as an HTTP route (a Fetch handler on node:http,
// in its own process) under autocannon on loopback, beside the bare function in that process.
//
// Every timed call is an acceptance (see the lap clock in _server-setup.mjs). Needs
// PostgreSQL (CLOUDMFA_BENCH_PG_URL) and Redis (CLOUDMFA_BENCH_REDIS); each run works in its
// own schema / key prefix / temporary file, removed at the end.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { decodeBase32 } from '@cloudmfa/core';
import { totp } from '@cloudmfa/otp';
import { fmt, median, table } from './_measure.mjs';
import { benchServer, ENROLMENTS, lapClock, openBenchStore, T0, timedRun } from './_server-setup.mjs';

const IN_FLIGHT = 64;
const ROUNDS = 3;
const STORES = ['memory', 'sqlite', 'postgres', 'redis', 'postgres+redis'];
const HTTP_STORES = ['redis', 'memory'];

async function bareOnStore(kind, log) {
  const lap = lapClock();
  const { store, close } = await openBenchStore(kind, lap.clock);
  try {
    const { verifyNext } = await benchServer(store, lap);
    await timedRun(verifyNext, { ms: 500, inFlight: IN_FLIGHT });
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) {
      runs.push(await timedRun(verifyNext, { ms: 3000, inFlight: IN_FLIGHT }));
      log(`  ${kind} round ${r + 1}: ${fmt(runs[r].perSecond)}/s (${runs[r].ok} accepted, ${runs[r].refused} refused)`);
    }
    return { perSecond: median(runs.map((x) => x.perSecond)), runs };
  } finally {
    await close();
  }
}

function lines(child) {
  let buf = '';
  const waiting = [];
  const queue = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else queue.push(line);
    }
  });
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve)));
}

async function httpOnStore(kind, log) {
  const target = fileURLToPath(new URL('./_server-http-target.mjs', import.meta.url));
  const child = spawn(process.execPath, [target, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const next = lines(child);
  try {
    const bare = await next();
    log(`  ${kind} bare in the target process: ${fmt(bare.perSecond)}/s, ${bare.cpuUsPerCall.toFixed(0)} us CPU per call`);
    const ready = await next();
    const seeds = ready.seeds.map((s) => decodeBase32(s));
    let call = ready.calls;
    const body = () => {
      const j = call++;
      const index = j % ENROLMENTS;
      const at = T0 + Math.floor(j / ENROLMENTS) * 30_000;
      return JSON.stringify({ enrolmentId: ready.ids[index], code: totp({ secret: seeds[index], now: () => at }) });
    };
    const load = async (url, label) => {
      child.stdin.write('stats\n');
      await next();
      const result = await autocannon({
        url,
        connections: IN_FLIGHT,
        pipelining: 1,
        duration: 8,
        requests: [{ method: 'POST', path: '/v1/otp/verify', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) }],
      });
      child.stdin.write('stats\n');
      const stats = await next();
      log(
        `  ${kind} ${label}: ${fmt(result.requests.average)} req/s, ${stats.cpuUsPerCall.toFixed(0)} us CPU per request, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}; ${stats.ok} accepted, ${stats.refused} refused`,
      );
      return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors, ...stats };
    };
    const fetchRoute = await load(ready.url, 'Fetch route');
    const rawRoute = await load(ready.rawUrl, 'node:http route');
    child.stdin.write('stop\n');
    return { bare, fetchRoute, rawRoute };
  } finally {
    setTimeout(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    }, 5000).unref();
  }
}

export default async function ({ log }) {
  const bare = {};
  for (const kind of STORES) bare[kind] = await bareOnStore(kind, log);
  const http = {};
  for (const kind of HTTP_STORES) http[kind] = await httpOnStore(kind, log);

  const names = {
    memory: 'memory (`createMemoryStore`)',
    sqlite: 'SQLite (`openSqliteStore`, WAL, synchronous=FULL)',
    postgres: 'PostgreSQL (`openPostgresStore`, pool of 16)',
    redis: 'Redis (`createRedisStore`, one connection)',
    'postgres+redis': 'PostgreSQL + Redis (enrolments, audit / guard, challenges), as `examples/server` runs',
  };
  return [
    `\`verifyOtp({ enrolmentId, code })\` end to end, accept path, one process, ${IN_FLIGHT} in flight, ${ENROLMENTS.toLocaleString('en-US')} active TOTP enrolments (each call: enrolment read, guard read, count-first failure record, AES-256-GCM seed decryption, HMAC-SHA1, atomic consume, audit append), PostgreSQL and Redis on loopback, median of ${ROUNDS} 3 s rounds. Goal: >= 5,000/s on Redis.`,
    '',
    table(
      ['Store', 'verifications/s', 'rounds (all accepted)'],
      STORES.map((k) => [names[k], fmt(bare[k].perSecond), bare[k].runs.map((r) => `${fmt(r.perSecond)}${r.refused ? ` (${r.refused} refused)` : ''}`).join(', ')]),
    ),
    '',
    `The same verification as an HTTP route: \`POST /v1/otp/verify\` as a Fetch handler (\`Request -> Response\`, beside \`createHttpHandler\`'s device routes) on \`node:http\` through the reference server's glue, in its own process, under autocannon (${IN_FLIGHT} connections, no pipelining, 8 s) on loopback; the bare function measured in that same process just before. Goal: the route within 2x of the bare function.`,
    '',
    table(
      ['Store', 'Variant', 'per second', 'vs bare', 'CPU per call (server process)', 'p50 / p99 ms', 'accepted / refused / failed'],
      HTTP_STORES.flatMap((k) => {
        const h = http[k];
        const name = names[k].split(' (')[0];
        const row = (label, x) => [name, label, fmt(x.rps), `${(x.rps / h.bare.perSecond).toFixed(2)}x`, `${x.cpuUsPerCall.toFixed(0)} us (${(x.cpuUsPerCall / h.bare.cpuUsPerCall).toFixed(2)}x)`, `${x.p50} / ${x.p99}`, `${x.ok} / ${x.refused} / ${x.failed}`];
        return [
          [name, 'bare `verifyOtp`, 64 in flight', fmt(h.bare.perSecond), '1.00x', `${h.bare.cpuUsPerCall.toFixed(0)} us`, '', `${h.bare.ok} / ${h.bare.refused} / 0`],
          row('Fetch handler route on node:http', h.fetchRoute),
          row('same route on plain node:http', h.rawRoute),
        ];
      }),
    ),
    '',
    'In the HTTP rows the load generator (autocannon, JavaScript) and Redis share the machine with the server process; "CPU per call" is the server process\'s own CPU time (process.cpuUsage, all threads) divided by the calls it served, which does not depend on that sharing. A refused call would show in the counts: every timed call is expected to be accepted.',
  ].join('\n');
}
