import type { NodeHandler, NodeRequestLike } from './createNodeHandler.js';
import type { AdminAuthorization, AdminHooks } from './http/adminRoutes.js';
import { checkAdminOptions } from './http/adminOptions.js';
import { createDispatcher, type HttpLogEntry } from './http/dispatch.js';
import type { NeutralRequest } from './http/neutral.js';
import { nodeRequest, serveNode } from './http/nodeAdapter.js';
import { serverError } from './internal/errors.js';
import type { MfaServer } from './types.js';

/**
 * Options of {@link createNodeAdminHandler}: those of `createAdminHandler`, with `authorize`
 * and `log` given the Node request.
 *
 * @example
 * ```ts
 * const options: NodeAdminHandlerOptions = {
 *   server,
 *   authorize: (req) => (req.headers['x-admin'] === 'ops' ? { ok: true, principal: 'ops', organisations: 'all' } : { ok: false, reason: 'unauthenticated' }),
 * };
 * ```
 */
export interface NodeAdminHandlerOptions<Req extends NodeRequestLike = NodeRequestLike> extends AdminHooks {
  /** What `createMfaServer` returned. */
  server: MfaServer;
  /** Your authorisation (see `createAdminHandler`): the principal and its organisations, or a refusal. No built-in password. */
  authorize: (req: Req) => AdminAuthorization | Promise<AdminAuthorization>;
  /** Mount point, e.g. `/admin` (no trailing slash). Default `''`. */
  basePath?: string;
  /** Largest request body read, 256..1,048,576 bytes. Default 16,384. */
  maxBodyBytes?: number;
  /** Receives one {@link HttpLogEntry} per request answered, with the request. Errors it throws are ignored. */
  log?: (entry: HttpLogEntry, req: Req) => void;
}

/**
 * The admin routes of `createAdminHandler` (`@cloudmfa/server`) as a `node:http` request
 * listener, over the same route core: same routes, `authorize` hook, organisation check,
 * schemas, codes and log entries. Given `next` (Express, Connect), a path outside the admin
 * routes goes to `next()`, so it mounts beside `createNodeHandler` in one app. Mount it before
 * any body parser.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createNodeAdminHandler } from '@cloudmfa/server/node';
 *
 * const admin = createNodeAdminHandler({ server, authorize: (req) => checkOperator(req) });
 * createServer(admin).listen(8081, '10.0.0.5'); // an internal listener
 * ```
 */
export function createNodeAdminHandler<Req extends NodeRequestLike = NodeRequestLike>(options: NodeAdminHandlerOptions<Req>): NodeHandler<Req> {
  if (typeof options !== 'object' || options === null) throw serverError('ERR_SERVER_CONFIG', '"options" expected an object with "server" and "authorize"');
  const { server, log, basePath, maxBodyBytes } = options;
  const table = checkAdminOptions(options);
  const { dispatch } = createDispatcher(server, {
    basePath,
    maxBodyBytes,
    table,
    ...(typeof log === 'function' ? { log: (entry: HttpLogEntry, req: NeutralRequest) => log(entry, req.native as Req) } : { log }),
  });
  return (req, res, next) => serveNode(dispatch, nodeRequest(req, undefined, true), res, next);
}
