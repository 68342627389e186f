// The HTTP target of bench/src/server.mjs, in its own process so that the load generator does not
// share its event loop: `node _server-http-target.mjs <store>`.
//
// 1. Builds the verify API on <store> with active TOTP enrolments (_server-setup.mjs) and one
//    enrolment redeemed online by a device key (for the device route `POST /v1/push/poll`).
// 2. Serves, side by side:
//    - `fetchUrl`: the Fetch handler (`createHttpHandler`) through the reference server's
//      Request/Response glue, with the application's verify route `POST /v1/otp/verify` written
//      as a Fetch handler beside it;
//    - `nodeUrl`: `createNodeHandler` on node:http, with the same verify route written directly
//      on node:http beside it (what an application adds on Node: the handler serves the device
//      routes only);
//    - `bareHttpUrl`: node:http with no adapter: the floor (a fixed answer) and the poll written
//      directly (see below).
// 3. Answers commands on stdin with one JSON line each: `bare verify` / `bare poll` (the bare
//    function here, 64 in flight, 3 s, with CPU per call), `token` (a fresh device-signed poll
//    request), `stats` (calls and this process's CPU per call since the last `stats`), `stop`.
import { createServer } from 'node:http';
import { encodeBase32 } from '@cloudmfa/core';
import { createHttpHandler } from '@cloudmfa/server';
import { createNodeHandler } from '@cloudmfa/server/node';
import { listen } from '../../examples/server/src/nodeHttp.mjs';
import { benchServer, lapClock, openBenchStore, redeemBenchDevice, timedRun } from './_server-setup.mjs';

const kind = process.argv[2];
const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const lap = lapClock();
const { store, close } = await openBenchStore(kind, lap.clock);
const { server, ids, seeds, verifyNext } = await benchServer(store, lap);

// One enrolment redeemed online: its device key signs the poll requests.
const { pollToken } = await redeemBenchDevice(server, lap);

let ok = 0;
let refused = 0;
const count = (r) => {
  if (r.ok) ok++;
  else refused++;
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const fetchDevice = createHttpHandler({ server });
// The verify route as a Fetch handler: body capped at 1 KiB, shape checked, the typed result
// answered as JSON. Device routes go to the Fetch handler; their results are counted too.
async function fetchApp(req) {
  const { pathname } = new URL(req.url);
  if (pathname !== '/v1/otp/verify') {
    const res = await fetchDevice(req);
    if (res.status === 200) ok++;
    else refused++;
    return res;
  }
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
  count(r);
  return new Response(JSON.stringify(r), { status: 200, headers: JSON_HEADERS });
}

// node:http: the device routes through createNodeHandler (its log counts them), the same
// verify route written on node:http.
const nodeDevice = createNodeHandler({ server, log: (e) => (e.status === 200 ? ok++ : refused++) });
const nodeApp = createServer((req, res) => {
  if (req.url !== '/v1/otp/verify') {
    nodeDevice(req, res);
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { ...JSON_HEADERS, allow: 'POST' }).end('{"error":{"code":"ERR_HTTP_METHOD"}}');
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
    count(r);
    res.writeHead(200, JSON_HEADERS).end(JSON.stringify(r));
  });
});
await new Promise((resolve) => nodeApp.listen(0, '127.0.0.1', resolve));

// node:http without any adapter, two routes:
// - the floor (any other path): reads the body (chunks collected under the handler's default
//   16 KiB cap) and answers a fixed JSON body with precomputed headers in one `end`. No route,
//   no parse, no store: the cost per request that no adapter can avoid;
// - `POST /v1/push/poll` written directly: the body parsed, `pollPushChallenges` called, its
//   result answered, without the checks createNodeHandler makes (media type, size cap, shape,
//   error mapping, security headers): the least a poll over node:http can cost.
const BARE_HEADERS = ['content-type', 'application/json; charset=utf-8', 'cache-control', 'no-store'];
const FLOOR_BODY = Buffer.from('{"ok":true}');
const FLOOR_HEADERS = [...BARE_HEADERS, 'content-length', String(FLOOR_BODY.length)];
const bareHttpApp = createServer((req, res) => {
  const chunks = [];
  let total = 0;
  req.on('data', (c) => {
    total += c.length;
    if (total <= 16_384) chunks.push(c);
  });
  if (req.url !== '/v1/push/poll') {
    req.on('end', () => {
      ok++;
      res.writeHead(total <= 16_384 && chunks.length > 0 ? 200 : 400, FLOOR_HEADERS).end(FLOOR_BODY);
    });
    return;
  }
  req.on('end', async () => {
    let r;
    try {
      r = await server.pollPushChallenges(JSON.parse(Buffer.concat(chunks).toString('utf8')).request);
    } catch {
      res.writeHead(503, BARE_HEADERS).end('{"error":{"code":"ERR_HTTP_UNAVAILABLE"}}');
      return;
    }
    count(r);
    res.writeHead(r.ok ? 200 : 403, BARE_HEADERS).end(JSON.stringify(r.ok ? { enrolmentId: r.enrolmentId, challenges: r.challenges } : { error: { code: r.reason } }));
  });
});
await new Promise((resolve) => bareHttpApp.listen(0, '127.0.0.1', resolve));
const fetchServer = await listen(fetchApp, { host: '127.0.0.1', port: 0 });

async function bare(what) {
  let fn = verifyNext;
  if (what === 'poll') {
    const token = await pollToken();
    fn = () => server.pollPushChallenges(token);
  }
  await timedRun(fn, { ms: 300, inFlight: 64 });
  const cpuBefore = process.cpuUsage();
  const r = await timedRun(fn, { ms: 3000, inFlight: 64 });
  const cpu = process.cpuUsage(cpuBefore);
  return { ...r, cpuUsPerCall: (cpu.user + cpu.system) / (r.ok + r.refused) };
}

emit({
  phase: 'ready',
  fetchUrl: fetchServer.url,
  nodeUrl: `http://127.0.0.1:${nodeApp.address().port}`,
  bareHttpUrl: `http://127.0.0.1:${bareHttpApp.address().port}`,
  ids,
  seeds: seeds.map((s) => encodeBase32(s)),
});

let mark = process.cpuUsage();
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', async (chunk) => {
  input += chunk;
  let i;
  while ((i = input.indexOf('\n')) >= 0) {
    const command = input.slice(0, i).trim();
    input = input.slice(i + 1);
    if (command === 'bare verify' || command === 'bare poll') emit({ phase: command, ...(await bare(command.slice(5))) });
    else if (command === 'calls') emit({ phase: 'calls', calls: lap.calls });
    else if (command === 'token') emit({ phase: 'token', token: await pollToken() });
    else if (command === 'stats') {
      const cpu = process.cpuUsage(mark);
      const n = ok + refused;
      emit({ phase: 'stats', ok, refused, cpuUsPerCall: n ? (cpu.user + cpu.system) / n : null });
      ok = 0;
      refused = 0;
      mark = process.cpuUsage();
    } else if (command === 'stop') {
      for (const app of [nodeApp, bareHttpApp]) {
        app.closeIdleConnections();
        setTimeout(() => app.closeAllConnections(), 1000).unref();
      }
      await Promise.all([fetchServer.close(1000), new Promise((resolve) => nodeApp.close(resolve)), new Promise((resolve) => bareHttpApp.close(resolve))]);
      await close();
      process.exit(0);
    }
  }
});
