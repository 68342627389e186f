// The HTTP target of bench/src/server.mjs, in its own process so that the load generator does not
// share its event loop: `node _server-http-target.mjs <store>`.
//
// 1. Builds the verify API on <store> with active enrolments (_server-setup.mjs).
// 2. Measures the bare function here, in this process: verifyOtp with 64 in flight.
// 3. Serves a verify route as a Fetch handler (Request -> Response, beside the device routes
//    of createHttpHandler) through the reference server's node:http glue, for the bench only;
//    and the same route written directly on node:http (no Request/Response objects), to show
//    what the Fetch objects cost on this Node.
// 4. Prints one JSON line per phase on stdout. On "stats" (stdin) prints the counts and the
//    process CPU time per request since the last "stats"; on "stop" exits.
import { createServer } from 'node:http';
import { encodeBase32 } from '@cloudmfa/core';
import { createHttpHandler } from '@cloudmfa/server';
import { listen } from '../../examples/server/src/nodeHttp.mjs';
import { benchServer, lapClock, openBenchStore, timedRun } from './_server-setup.mjs';

const kind = process.argv[2];
const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const lap = lapClock();
const { store, close } = await openBenchStore(kind, lap.clock);
const { server, ids, seeds, verifyNext } = await benchServer(store, lap);

await timedRun(verifyNext, { ms: 500, inFlight: 64 });
const cpuBefore = process.cpuUsage();
const bare = await timedRun(verifyNext, { ms: 3000, inFlight: 64 });
const cpuBare = process.cpuUsage(cpuBefore);
emit({ phase: 'bare', ...bare, cpuUsPerCall: (cpuBare.user + cpuBare.system) / (bare.ok + bare.refused) });

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const device = createHttpHandler({ server });
let ok = 0;
let refused = 0;
// The verify route: what an application mounts behind its own login form. Body capped at 1 KiB,
// shape checked, the typed result answered as JSON.
async function handler(req) {
  const { pathname } = new URL(req.url);
  if (pathname !== '/v1/otp/verify') return device(req);
  if (req.method !== 'POST') return new Response('{"error":{"code":"ERR_HTTP_METHOD"}}', { status: 405, headers: { ...JSON_HEADERS, allow: 'POST' } });
  const text = await req.text();
  if (text.length > 1024) return new Response('{"error":{"code":"ERR_HTTP_BODY_TOO_LARGE"}}', { status: 413, headers: JSON_HEADERS });
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (typeof body?.enrolmentId !== 'string' || typeof body?.code !== 'string') {
    return new Response('{"error":{"code":"ERR_HTTP_MALFORMED"}}', { status: 400, headers: JSON_HEADERS });
  }
  lap.next(); // the request claims its call number, as the load generator did
  const r = await server.verifyOtp({ enrolmentId: body.enrolmentId, code: body.code });
  if (r.ok) ok++;
  else refused++;
  return new Response(JSON.stringify(r), { status: 200, headers: JSON_HEADERS });
}

// The same route directly on node:http: body read from the stream with the same cap, the same
// checks, the same JSON answer.
const raw = createServer((req, res) => {
  if (req.url !== '/v1/otp/verify' || req.method !== 'POST') {
    res.writeHead(404, JSON_HEADERS).end('{"error":{"code":"ERR_HTTP_NOT_FOUND"}}');
    return;
  }
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (c) => {
    text += c;
  });
  req.on('end', async () => {
    let body;
    try {
      body = text.length <= 1024 ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (typeof body?.enrolmentId !== 'string' || typeof body?.code !== 'string') {
      res.writeHead(400, JSON_HEADERS).end('{"error":{"code":"ERR_HTTP_MALFORMED"}}');
      return;
    }
    lap.next();
    let r;
    try {
      r = await server.verifyOtp({ enrolmentId: body.enrolmentId, code: body.code });
    } catch {
      // The store closing under a request still in flight at the end of the run.
      res.writeHead(503, JSON_HEADERS).end('{"error":{"code":"ERR_HTTP_UNAVAILABLE"}}');
      return;
    }
    if (r.ok) ok++;
    else refused++;
    res.writeHead(200, JSON_HEADERS).end(JSON.stringify(r));
  });
});
await new Promise((resolve) => raw.listen(0, '127.0.0.1', resolve));

const http = await listen(handler, { host: '127.0.0.1', port: 0 });
emit({ phase: 'http', url: http.url, rawUrl: `http://127.0.0.1:${raw.address().port}`, calls: lap.calls, ids, seeds: seeds.map((s) => encodeBase32(s)) });

let mark = process.cpuUsage();
process.stdin.setEncoding('utf8');
process.stdin.on('data', async (chunk) => {
  if (chunk.includes('stats')) {
    const cpu = process.cpuUsage(mark);
    const n = ok + refused;
    emit({ phase: 'stats', ok, refused, cpuUsPerCall: n ? (cpu.user + cpu.system) / n : null });
    ok = 0;
    refused = 0;
    mark = process.cpuUsage();
  }
  if (chunk.includes('stop')) {
    raw.closeIdleConnections();
    setTimeout(() => raw.closeAllConnections(), 1000).unref();
    await Promise.all([http.close(1000), new Promise((resolve) => raw.close(resolve))]);
    await close();
    process.exit(0);
  }
});
