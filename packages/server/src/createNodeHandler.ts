import { serverError } from './internal/errors.js';
import { createDispatcher, type HttpLogEntry, type ResolvedOrganisation } from './http/dispatch.js';
import type { NeutralRequest } from './http/neutral.js';
import { nodeRequest, serveNode } from './http/nodeAdapter.js';
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
    serveNode(dispatch, nodeRequest(req, clientIp, false), res, next);
  };
}
