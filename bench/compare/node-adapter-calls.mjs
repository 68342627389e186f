// One checkout's createNodeHandler alone, for an instruction count: `node
// bench/compare/node-adapter-calls.mjs <checkout> <N>` serves 5,000 warm-up requests and then N
// more, each a POST /v1/push/poll with a 577-byte body, through a fake request (an
// EventEmitter) and response to a stub facade that answers at once. No socket, no store, no
// crypto: what is left is the adapter (route, body read and decode, JSON, shape check, answer).
// Under `valgrind --tool=callgrind --smc-check=all node --single-threaded ...`, the
// instructions of N = 2,000 minus those of N = 0, divided by 2,000, are one request's; compare
// two checkouts with it (the harness's own work is the same in both).
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, n] = process.argv.slice(2);
if (!root || !/^[0-9]+$/.test(n ?? '')) throw new Error('usage: node bench/compare/node-adapter-calls.mjs <checkout> <N>');
const { createNodeHandler } = await import(pathToFileURL(join(root, 'packages/server/dist/node.js')).href);
const server = {
  completeActivation() {},
  forOrganisation() {},
  async pollPushChallenges() {
    return { ok: true, enrolmentId: 'enr_abc', challenges: [] };
  },
};
const handler = createNodeHandler({ server, log: () => {} });
const body = Buffer.from(JSON.stringify({ request: `eyJ${'a'.repeat(560)}` }));
const headers = { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': String(body.length) };
function one() {
  return new Promise((resolve) => {
    const req = Object.assign(new EventEmitter(), {
      method: 'POST',
      url: '/v1/push/poll',
      headers,
      complete: true,
      readableEnded: false,
      socket: null,
      pause() {},
      destroy() {},
    });
    const res = { headersSent: false, writeHead() {}, end: () => resolve(), once() {}, destroy() {} };
    handler(req, res);
    queueMicrotask(() => {
      req.emit('data', body);
      req.emit('end');
    });
  });
}
for (let i = 0; i < 5000; i++) await one();
for (let i = 0; i < Number(n); i++) await one();
process.exit(0);
