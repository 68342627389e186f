// @cloudmfa/server: verifyOtp end to end per second from one process with 64 in flight, on each
// store (memory, SQLite, PostgreSQL, Redis, and PostgreSQL + Redis as the reference server
// combines them); then the same verification and the device poll as HTTP routes (Fetch and
// node:http, in their own process) under autocannon on loopback, beside the bare function in
// that process and node:http's own floor (a fixed answer).
//
// Every timed call is an acceptance (see the lap clock in _server-setup.mjs). Needs
// PostgreSQL (CLOUDMFA_BENCH_PG_URL) and Redis (CLOUDMFA_BENCH_REDIS); each run works in its
// own schema / key prefix / temporary file, removed at the end.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { decodeBase32 } from '@cloudmfa/core';
import { totp } from '@cloudmfa/otp';
import { fmt, jsonLines, median, table } from './_measure.mjs';
import { benchServer, ENROLMENTS, lapClock, openBenchStore, T0, timedRun } from './_server-setup.mjs';

const IN_FLIGHT = 64;
const ROUNDS = 3;
const STORES = ['memory', 'sqlite', 'postgres', 'redis', 'redis+autopipelining', 'postgres+redis', 'postgres+redis+bg'];
const HTTP_STORES = ['memory', 'redis'];

async function bareOnStore(kind, log) {
  const lap = lapClock();
  const { store, close, serverOptions } = await openBenchStore(kind, lap.clock);
  try {
    const { verifyNext, settle } = await benchServer(store, lap, { serverOptions });
    await timedRun(verifyNext, { ms: 500, inFlight: IN_FLIGHT, settle });
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) {
      runs.push(await timedRun(verifyNext, { ms: 3000, inFlight: IN_FLIGHT, settle }));
      log(`  ${kind} round ${r + 1}: ${fmt(runs[r].perSecond)}/s (${runs[r].ok} accepted, ${runs[r].refused} refused)`);
    }
    return { perSecond: median(runs.map((x) => x.perSecond)), runs };
  } finally {
    await close();
  }
}

const HTTP_ROUNDS = 3;
const HTTP_SECONDS = 4;

// Per round, in this order: the bare function in the target, then each HTTP variant under
// autocannon; verify first, then the device poll. Medians over the rounds.
async function httpOnStore(kind, log) {
  const target = fileURLToPath(new URL('./_server-http-target.mjs', import.meta.url));
  const child = spawn(process.execPath, [target, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  const next = jsonLines(child);
  const ask = (command) => {
    child.stdin.write(`${command}\n`);
    return next();
  };
  try {
    const ready = await next();
    const seeds = ready.seeds.map((s) => decodeBase32(s));
    const load = async (url, path, body, label) => {
      await ask('stats');
      const result = await autocannon({
        url,
        connections: IN_FLIGHT,
        pipelining: 1,
        duration: HTTP_SECONDS,
        requests: [{ method: 'POST', path, headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) }],
      });
      const stats = await ask('stats');
      log(
        `  ${kind} ${label}: ${fmt(result.requests.average)} req/s, ${stats.cpuUsPerCall.toFixed(0)} us CPU per request, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}; ${stats.ok} accepted, ${stats.refused} refused`,
      );
      return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors, ...stats };
    };
    const runs = { bareVerify: [], floorVerify: [], fetchVerify: [], nodeVerify: [], barePoll: [], floorPoll: [], directPoll: [], fetchPoll: [], nodePoll: [] };
    for (let r = 0; r < HTTP_ROUNDS; r++) {
      const bare = await ask('bare verify');
      log(`  ${kind} bare verifyOtp: ${fmt(bare.perSecond)}/s, ${bare.cpuUsPerCall.toFixed(0)} us CPU per call`);
      runs.bareVerify.push(bare);
      // Each request computes the code of the call number it will claim (see the lap clock).
      let call = (await ask('calls')).calls;
      const verifyBody = () => {
        const j = call++;
        const index = j % ENROLMENTS;
        const at = T0 + Math.floor(j / ENROLMENTS) * 30_000;
        return JSON.stringify({ enrolmentId: ready.ids[index], code: totp({ secret: seeds[index], now: () => at }) });
      };
      // The floor with a body of the verify route's size (one real body, sent again: nothing reads it).
      const sampleVerify = verifyBody();
      runs.floorVerify.push(await load(ready.bareHttpUrl, '/floor', () => sampleVerify, 'node:http floor (verify body)'));
      call = (await ask('calls')).calls;
      runs.fetchVerify.push(await load(ready.fetchUrl, '/v1/otp/verify', verifyBody, 'verify route, Fetch glue'));
      call = (await ask('calls')).calls;
      runs.nodeVerify.push(await load(ready.nodeUrl, '/v1/otp/verify', verifyBody, 'verify route, node:http'));
      const barePoll = await ask('bare poll');
      log(`  ${kind} bare pollPushChallenges: ${fmt(barePoll.perSecond)}/s, ${barePoll.cpuUsPerCall.toFixed(0)} us CPU per call`);
      runs.barePoll.push(barePoll);
      const pollBody = JSON.stringify({ request: (await ask('token')).token });
      runs.floorPoll.push(await load(ready.bareHttpUrl, '/floor', () => pollBody, 'node:http floor (poll body)'));
      runs.directPoll.push(await load(ready.bareHttpUrl, '/v1/push/poll', () => pollBody, 'POST /v1/push/poll written directly on node:http'));
      runs.fetchPoll.push(await load(ready.fetchUrl, '/v1/push/poll', () => pollBody, 'POST /v1/push/poll, createHttpHandler'));
      runs.nodePoll.push(await load(ready.nodeUrl, '/v1/push/poll', () => pollBody, 'POST /v1/push/poll, createNodeHandler'));
    }
    child.stdin.write('stop\n');
    return runs;
  } finally {
    setTimeout(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    }, 5000).unref();
  }
}

export default async function ({ log }) {
  const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
  const loadAtStart = load();
  const bare = {};
  for (const kind of STORES) bare[kind] = await bareOnStore(kind, log);
  const http = {};
  const loadAtHttp = load();
  for (const kind of HTTP_STORES) http[kind] = await httpOnStore(kind, log);

  const names = {
    memory: 'memory (`createMemoryStore`)',
    sqlite: 'SQLite (`openSqliteStore`, WAL, synchronous=FULL)',
    postgres: 'PostgreSQL (`openPostgresStore`, pool of 16)',
    redis: 'Redis (`createRedisStore`, one connection)',
    'redis+autopipelining': 'Redis, the client with `enableAutoPipelining: true`',
    'postgres+redis': 'PostgreSQL + Redis (enrolments, audit / guard, challenges), the audit move awaited (`auditMove: \'inline\'`, the default)',
    'postgres+redis+bg': 'PostgreSQL + Redis, the audit move after the answer (`auditMove: \'background\'`), as `examples/server` runs; each round ends after its moves are flushed',
  };
  return [
    `\`verifyOtp({ enrolmentId, code })\` end to end, accept path, one process, ${IN_FLIGHT} in flight, ${ENROLMENTS.toLocaleString('en-US')} active TOTP enrolments (each call: enrolment read, the attempt counted first unless locked (\`guard.attempt\`), AES-256-GCM seed decryption, HMAC-SHA1, atomic consume with its audit entry), PostgreSQL and Redis on loopback, median of ${ROUNDS} 3 s rounds. Goals (issue 12): Redis >= 12,000/s, PostgreSQL >= 6,000/s, PostgreSQL + Redis >= 8,000/s, SQLite >= 15,000/s. Store calls per verify: enrolment read, \`guard.attempt\`, \`guard.consume\`; memory, SQLite, PostgreSQL and Redis (one local server, opened with \`singleServer: true\`) log the entry in the consume's atomic step, PostgreSQL + Redis keeps it in the outbox and moves it (audit append, outbox settle), awaited by the answer or, with \`auditMove: 'background'\`, after it (the round's time then ends when the moves are flushed). PostgreSQL and Redis group the calls of one event-loop turn (group commit): PostgreSQL into one statement per kind of call (at most 128 calls each), Redis into script calls of at most 16 calls each.`,
    '',
    table(
      ['Store', 'verifications/s', 'rounds (all accepted)'],
      STORES.map((k) => [names[k], fmt(bare[k].perSecond), bare[k].runs.map((r) => `${fmt(r.perSecond)}${r.refused ? ` (${r.refused} refused)` : ''}`).join(', ')]),
    ),
    '',
    `The same work over HTTP on loopback, side by side in one target process (memory store and Redis), ${HTTP_ROUNDS} rounds; each round runs the bare function in that process (64 in flight, 3 s) and then each HTTP variant under autocannon (${IN_FLIGHT} keep-alive connections, no pipelining, ${HTTP_SECONDS} s). Medians of the rounds. Two operations: the application's verify route \`POST /v1/otp/verify\` (the handlers serve the device routes only, so an application writes this one itself: as a Fetch handler through the reference server's Request/Response glue, or directly on node:http), and the device route \`POST /v1/push/poll\` (a device-signed poll, ES256 verified with WebCrypto, no pending challenge) through each adapter of the SDK: \`createHttpHandler\` (Fetch, through the same glue) and \`createNodeHandler\` (node:http). Goal: the node:http route within 1.2x of the bare function. Two rows say what that goal allows: the floor (node:http alone reading a body of the operation's size and answering a fixed JSON body: no route, no parse, no store; its "vs bare" is the share of the bare function's cost that any node:http route pays on top, so 1.2x is out of reach once it passes 0.20x) and, for the poll, the poll written directly on node:http (body parsed, facade called, result answered, none of the handler's checks): what the adapter costs is the difference between it and \`createNodeHandler\`.`,
    '',
    table(
      ['Store', 'Operation', 'Variant', 'per second', 'CPU per call (target process)', 'vs bare (CPU)', 'p50 / p99 ms', 'accepted / refused / failed'],
      HTTP_STORES.flatMap((k) => {
        const h = http[k];
        const name = names[k].split(' (')[0];
        const med = (xs, f) => median(xs.map(f));
        const row = (op, label, xs, bare) => {
          const cpu = med(xs, (x) => x.cpuUsPerCall);
          const http = xs[0].p50 !== undefined;
          return [
            name,
            op,
            label,
            fmt(med(xs, (x) => x.perSecond)),
            `${cpu.toFixed(0)} us`,
            bare ? `${(cpu / med(bare, (x) => x.cpuUsPerCall)).toFixed(2)}x` : '1.00x',
            http ? `${med(xs, (x) => x.p50)} / ${med(xs, (x) => x.p99)}` : '',
            `${xs.reduce((a, x) => a + x.ok, 0)} / ${xs.reduce((a, x) => a + x.refused, 0)} / ${xs.reduce((a, x) => a + (x.failed ?? 0), 0)}`,
          ];
        };
        return [
          row('verifyOtp', 'bare function, 64 in flight', h.bareVerify, null),
          row('verifyOtp', 'floor: node:http alone (body read, fixed answer)', h.floorVerify, h.bareVerify),
          row('verifyOtp', 'verify route as a Fetch handler (glue)', h.fetchVerify, h.bareVerify),
          row('verifyOtp', 'verify route on node:http', h.nodeVerify, h.bareVerify),
          row('poll', 'bare `pollPushChallenges`, 64 in flight', h.barePoll, null),
          row('poll', 'floor: node:http alone (body read, fixed answer)', h.floorPoll, h.barePoll),
          row('poll', 'poll written directly on node:http (no checks)', h.directPoll, h.barePoll),
          row('poll', '`createHttpHandler` (Fetch glue)', h.fetchPoll, h.barePoll),
          row('poll', '`createNodeHandler` (node:http)', h.nodePoll, h.barePoll),
        ];
      }),
    ),
    '',
    `Load average at the start of the run: ${loadAtStart}; at the start of the HTTP part: ${loadAtHttp} (2 cores: figures from a loaded machine swing between rounds; compare rows of one run).`,
    '',
    'In the HTTP rows the load generator (autocannon, JavaScript) and Redis share the machine with the server process; "CPU per call" is the server process\'s own CPU time (process.cpuUsage, all threads) divided by the calls it served, which does not depend on that sharing. A refused call would show in the counts: every timed call is expected to be accepted.',
  ].join('\n');
}
