import { serverError } from './internal/errors.js';
import { concatChunks } from './http/body.js';
import { createDispatcher, type HttpLogEntry, type ResolvedOrganisation } from './http/dispatch.js';
import type { BodyBytes, NeutralRequest, NeutralResponse } from './http/neutral.js';
import { BASE_HEADERS } from './http/respond.js';
import type { MfaServer } from './types.js';

/**
 * What the handler uses of a `node:http` `IncomingMessage` (Express's and Fastify's raw request
 * are one). Declared here so that the package needs no Node types; an `IncomingMessage` fits.
 *
 * @example
 * ```ts
 * const ip = (req: NodeRequestLike) => req.socket?.remoteAddress;
 * ```
 */
export interface NodeRequestLike {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** True once the whole message has arrived. */
  readonly complete: boolean;
  /** True once the body has been read to its end (by this handler or by someone before it). */
  readonly readableEnded: boolean;
  readonly socket: { remoteAddress?: string | undefined } | null;
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  pause(): unknown;
  destroy(): unknown;
}

/**
 * What the handler uses of a `node:http` `ServerResponse`.
 *
 * @example
 * ```ts
 * const done = (res: NodeResponseLike) => res.headersSent;
 * ```
 */
export interface NodeResponseLike {
  readonly headersSent: boolean;
  writeHead(statusCode: number, headers: string[]): unknown;
  end(chunk: string | Uint8Array): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  destroy(): unknown;
}

/**
 * Options of {@link createNodeHandler}: those of `createHttpHandler`, with `clientIp` reading
 * the Node request.
 *
 * @example
 * ```ts
 * const options: NodeHandlerOptions = { server, basePath: '/mfa', clientIp: (req) => req.socket?.remoteAddress };
 * ```
 */
export interface NodeHandlerOptions<Req extends NodeRequestLike = NodeRequestLike> {
  /** What `createMfaServer` returned. */
  server: MfaServer;
  /** Mount point, e.g. `/mfa` (no trailing slash). Default `''`. */
  basePath?: string;
  /** Largest request body read, 256..1,048,576 bytes. Default 16,384. */
  maxBodyBytes?: number;
  /**
   * The client address (e.g. `req.socket.remoteAddress`, or a trusted proxy's header); feeds the
   * redemption throttle. None by default: behind a proxy the socket address is the proxy's.
   */
  clientIp?: (req: Req) => string | null | undefined;
  /**
   * Receives one {@link HttpLogEntry} per request answered, with the request it answers (to add
   * your own fields, e.g. a duration or a request id; log no header value you did not choose).
   * Errors it throws are ignored.
   */
  log?: (entry: HttpLogEntry, req: Req) => void;
  /**
   * The organisation a request is for (docs/server.md, "Organisations", HTTP), as for `createHttpHandler`:
   * by host (`req.headers.host`), path or header. With a `next`, a request that names no
   * organisation is passed on; without, it is answered 404 like an unknown route.
   */
  resolveOrganisation?: (req: Req) => ResolvedOrganisation | Promise<ResolvedOrganisation>;
}

/** A `node:http` request listener; given `next` (Express, Connect), a path outside the device routes goes to `next()`. */
export type NodeHandler<Req extends NodeRequestLike = NodeRequestLike> = (req: Req, res: NodeResponseLike, next?: (err?: unknown) => void) => void;

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

/**
 * The device routes of `createHttpHandler` (`@cloudmfa/server`) as a `node:http` request listener: the same
 * route table, body caps, media type checks, headers, error mapping and log entries (both
 * adapters share one core), without building a Fetch `Request` or `Response` per call. Use it
 * on Node, directly or inside Express or Fastify (docs/server.md section 7.2); use
 * `createHttpHandler` on Bun, Deno and workers.
 *
 * Mount it before any body parser: it reads the body stream itself, with its cap.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createNodeHandler } from '@cloudmfa/server/node';
 *
 * const handler = createNodeHandler({ server, basePath: '/mfa', clientIp: (req) => req.socket?.remoteAddress });
 * createServer(handler).listen(8080);
 * // Express: app.use(handler) (other paths go to next()); Fastify: see docs/server.md 7.2
 * ```
 */
export function createNodeHandler<Req extends NodeRequestLike = NodeRequestLike>(options: NodeHandlerOptions<Req>): NodeHandler<Req> {
  if (typeof options !== 'object' || options === null) throw serverError('ERR_SERVER_CONFIG', '"options" expected an object with "server"');
  const { server, clientIp, log, resolveOrganisation, ...rest } = options;
  const { dispatch } = createDispatcher(server, {
    ...rest,
    clientIp,
    resolve: typeof resolveOrganisation === 'function' ? (req: NeutralRequest) => resolveOrganisation(req.native as Req) : resolveOrganisation,
    ...(typeof log === 'function' ? { log: (entry: HttpLogEntry, req: NeutralRequest) => log(entry, req.native as Req) } : { log }),
  });
  return (req, res, next) => {
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
    dispatch(neutral, typeof next === 'function')
      .then((r) => {
        if (r === null) (next as (err?: unknown) => void)();
        else send(req, res, r);
      })
      // dispatch answers every error itself; this is the writer failing on a broken socket.
      .catch(() => res.destroy());
  };
}
