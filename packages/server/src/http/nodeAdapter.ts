// The node:http adapter's half of the route core: an IncomingMessage described to the core, the
// core's answer written to the ServerResponse. Shared by createNodeHandler (device routes) and
// createNodeAdminHandler.
import type { NodeRequestLike, NodeResponseLike } from '../createNodeHandler.js';
import { concatChunks } from './body.js';
import { serverError } from '../internal/errors.js';
import type { Dispatcher } from './dispatch.js';
import type { BodyBytes, NeutralRequest, NeutralResponse } from './neutral.js';
import { BASE_HEADERS } from './respond.js';

// Targets made of these characters are their own path: `new URL` would change nothing. Anything
// else (dot segments, percent escapes, a query, characters URL encodes) goes through `new URL`, so
// routing is exactly the Fetch handler's.
const PLAIN_PATH = /^\/[A-Za-z0-9/_~-]*$/;
const ASCII = /^[\x00-\x7f]*$/;
const encoder = new TextEncoder();
const BASE = Object.entries(BASE_HEADERS).flat();

function pathOf(target: string | undefined): string | null {
  if (typeof target !== 'string' || !target.startsWith('/')) return null; // absolute-form and '*' targets are not routes
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (PLAIN_PATH.test(path) && !path.startsWith('//')) return path;
  try {
    return new URL(`http://h${target}`).pathname;
  } catch {
    return null;
  }
}

/** Reads the body from the stream, stopping at the cap (the rest is never read: the answer closes the connection). */
function readNodeBody(req: NodeRequestLike, maxBytes: number): Promise<BodyBytes> {
  if (req.readableEnded) {
    // A body parser (express.json(), Fastify's) read it first: a mounting mistake, not the client's.
    return Promise.reject(serverError('ERR_SERVER_CONFIG', 'the request body was read before the handler: mount it before any body parser'));
  }
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const finish = (result: BodyBytes) => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onBroken);
      req.removeListener('close', onBroken);
      resolve(result);
    };
    const onData = (chunk: Uint8Array) => {
      total += chunk.length;
      if (total > maxBytes) {
        req.pause();
        finish({ ok: false, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, bytes: concatChunks(chunks, total) });
    const onBroken = () => finish({ ok: false, reason: 'broken' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onBroken);
    req.on('close', onBroken);
  });
}

function send(req: NodeRequestLike, res: NodeResponseLike, r: NeutralResponse): void {
  if (res.headersSent) return;
  const body = ASCII.test(r.body) ? r.body : encoder.encode(r.body);
  const headers = BASE.slice();
  if (r.headers) for (const name in r.headers) headers.push(name, r.headers[name] as string);
  headers.push('content-length', String(body.length));
  // A body still arriving (refused as too large, or never read): answer, then close instead of
  // draining whatever the client keeps sending.
  const closeAfter = !req.complete;
  if (closeAfter) headers.push('connection', 'close');
  res.writeHead(r.status, headers);
  res.end(body);
  if (closeAfter) res.once('finish', () => req.destroy());
}

/** A node request as the core sees it; `withQuery` adds the query string (the admin routes read it). */
export function nodeRequest<Req extends NodeRequestLike>(req: Req, clientIp: ((req: Req) => unknown) | undefined, withQuery: boolean): NeutralRequest {
  const neutral: NeutralRequest = {
    method: typeof req.method === 'string' ? req.method.toUpperCase() : 'GET',
    path: pathOf(req.url),
    header: (name) => {
      const v = req.headers[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    readBody: (maxBytes) => readNodeBody(req, maxBytes),
    clientIp: () => (clientIp ? clientIp(req) : undefined),
    native: req,
  };
  if (withQuery) {
    neutral.query = () => {
      const target = typeof req.url === 'string' ? req.url : '';
      const q = target.indexOf('?');
      if (q < 0) return '';
      const h = target.indexOf('#', q);
      return target.slice(q + 1, h < 0 ? undefined : h);
    };
  }
  return neutral;
}

/** Dispatches and writes the answer; given `next` (Express, Connect), a path outside the routes goes to `next()`. */
export function serveNode(dispatch: Dispatcher['dispatch'], neutral: NeutralRequest, res: NodeResponseLike, next: ((err?: unknown) => void) | undefined): void {
  const req = neutral.native as NodeRequestLike;
  dispatch(neutral, typeof next === 'function')
    .then((r) => {
      if (r === null) (next as (err?: unknown) => void)();
      else send(req, res, r);
    })
    // dispatch answers every error itself; this is the writer failing on a broken socket.
    .catch(() => res.destroy());
}
