// node:http glue: `serve` runs a node:http listener with the reference server's timeouts and
// graceful close (the device API is `createNodeHandler`'s listener, no Fetch objects); `listen`
// serves a Fetch-API handler `(Request) => Promise<Response>` through `nodeListener` (the admin
// surface, and the HTTP benchmark's Fetch rows). About the Fetch glue:
//
// - The request body is handed over as a ReadableStream that the handler reads with its own cap;
//   a handler that stops reading early (413) gets `Connection: close`, so the unread rest of a
//   large body is never drained.
// - The socket address of each Request is kept in a WeakMap (`remoteAddressOf`), and a handler
//   can attach its log entry to the Response it returns (`annotate`). No AsyncLocalStorage: on
//   Node 20 it turns on promise hooks, which slow every promise in the process.
// - The URL is built from a fixed base and the request target's path: the Host header never
//   decides what is routed (the admin surface checks Host itself).
import { createServer } from 'node:http';

const remote = new WeakMap();
const annotations = new WeakMap();

/** The socket address a Request came from (`null` when unknown). */
export const remoteAddressOf = (request) => remote.get(request) ?? null;

/** Attaches the log entry fields (`route`, `code`) a handler decided on to its Response. */
export function annotate(response, entry) {
  annotations.set(response, entry);
  return response;
}

const HARD_BODY_CAP = 1_048_576;
const BASE = 'http://mounted.invalid';

function bodyStream(req, state) {
  let total = 0;
  return new ReadableStream(
    {
      start(controller) {
        req.on('data', (chunk) => {
          if (state.cancelled) return;
          total += chunk.length;
          if (total > HARD_BODY_CAP) {
            state.cancelled = true;
            req.pause();
            controller.error(new Error('body over the hard cap'));
            return;
          }
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if (controller.desiredSize !== null && controller.desiredSize <= 0) req.pause();
        });
        req.on('end', () => {
          state.ended = true;
          if (!state.cancelled) controller.close();
        });
        req.on('error', (e) => {
          if (!state.cancelled) controller.error(e);
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        state.cancelled = true;
        req.pause();
      },
    },
    { highWaterMark: 65_536, size: (chunk) => chunk.byteLength },
  );
}

function toRequest(req, state) {
  const target = req.url ?? '/';
  if (!target.startsWith('/')) return null; // absolute-form or asterisk-form targets: not ours
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(BASE + target, hasBody ? { method, headers, body: bodyStream(req, state), duplex: 'half' } : { method, headers });
}

async function send(res, response, closeAfter, head) {
  const headers = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (closeAfter) headers.connection = 'close';
  const body = response.body === null ? null : Buffer.from(await response.arrayBuffer());
  if (body !== null) headers['content-length'] = String(body.byteLength);
  res.writeHead(response.status, headers);
  res.end(head ? undefined : (body ?? undefined));
  return body;
}

// The stable code of an error answer (`{ "error": { "code" } }`), for the log line.
function errorCode(response, body) {
  if (response.status < 400 || body === null || body.byteLength > 4096) return null;
  try {
    const code = JSON.parse(body.toString('utf8'))?.error?.code;
    return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

const FALLBACK = () =>
  new Response(JSON.stringify({ error: { code: 'ERR_HTTP_INTERNAL', message: 'internal error' } }), {
    status: 500,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });

/**
 * A `node:http` request listener serving `handler`. `log(entry)` receives one entry per request:
 * `{ method, route, status, code, ms }`, where `route` and `code` come from `annotate` (or
 * `route(request)`, and the error body's code).
 *
 * @param {(req: Request) => Promise<Response>} handler
 * @param {{ log?: (entry: object) => void, route?: (request: Request) => string | null, closing?: () => boolean }} [options]
 */
function nodeListener(handler, { log, route = () => null, closing = () => false } = {}) {
  return async (req, res) => {
    const start = performance.now();
    const state = { cancelled: false, ended: false };
    let request = null;
    try {
      request = toRequest(req, state);
    } catch {
      request = null;
    }
    let response;
    let failure = null;
    if (request === null) {
      response = new Response('{"error":{"code":"ERR_HTTP_MALFORMED","message":"the request is malformed"}}', {
        status: 400,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    } else {
      remote.set(request, req.socket.remoteAddress ?? null);
      try {
        response = await handler(request);
        if (!(response instanceof Response)) response = FALLBACK();
      } catch (e) {
        response = FALLBACK();
        failure = { name: typeof e?.name === 'string' ? e.name : 'Error' };
      }
    }
    // A body the handler did not read to the end (refused as too large, or never looked at):
    // answer, then close the connection instead of draining what the client keeps sending.
    // While shutting down, every answer also closes its connection.
    const closeAfter = closing() || (request !== null && request.method !== 'GET' && request.method !== 'HEAD' && !state.ended);
    let body = null;
    try {
      body = await send(res, response, closeAfter, req.method === 'HEAD');
    } catch {
      res.destroy();
    }
    if (closeAfter) res.once('finish', () => req.destroy());
    if (log) {
      const note = annotations.get(response);
      const entry = {
        method: req.method ?? '?',
        route: note?.route ?? (request ? route(request) : null),
        status: response.status,
        code: note?.code !== undefined ? note.code : errorCode(response, body),
        ms: Math.round((performance.now() - start) * 10) / 10,
      };
      if (failure) entry.error = failure;
      try {
        log(entry);
      } catch {
        // A logger must not break an answer.
      }
    }
  };
}

/**
 * Creates a `node:http` server for the Fetch-API `handler` (see `serve`).
 *
 * @param {(req: Request) => Promise<Response>} handler
 * @param {{ host: string, port: number, log?: (entry: object) => void, route?: (request: Request) => string | null }} options
 */
export function listen(handler, { host, port, log, route }) {
  return serve((closing) => nodeListener(handler, { log, route, closing }), { host, port });
}

/**
 * Creates a `node:http` server with conservative timeouts for the listener `makeListener(closing)`
 * returns (`closing()` is true once `close` was called), listening on `host:port` (port 0:
 * ephemeral). Resolves `{ server, url, port, close(timeoutMs) }`; `close` stops accepting,
 * closes idle keep-alive connections, waits for requests in flight up to `timeoutMs`, then
 * closes whatever is left. `onClose()` runs when `close` is first called (e.g. to mark the answers
 * still to come `Connection: close`).
 *
 * @param {(closing: () => boolean) => import('node:http').RequestListener} makeListener
 * @param {{ host: string, port: number, onClose?: () => void }} options
 */
export async function serve(makeListener, { host, port, onClose }) {
  let closing = null;
  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16_384 },
    makeListener(() => closing !== null),
  );
  server.maxHeadersCount = 100;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  const close = (timeoutMs = 10_000) => {
    if (closing === null) onClose?.();
    closing ??= new Promise((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      timer.unref();
      // A keep-alive connection whose request was in flight becomes idle once answered: sweep.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      sweep.unref();
      server.close(() => {
        clearTimeout(timer);
        clearInterval(sweep);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { server, url, port: address.port, close };
}
