import type { AdminAuthorization, AdminHooks } from './http/adminRoutes.js';
import { checkAdminOptions } from './http/adminOptions.js';
import { createDispatcher, type HttpLogEntry } from './http/dispatch.js';
import { fetchRequest, toResponse } from './http/fetch.js';
import type { NeutralRequest, NeutralResponse } from './http/neutral.js';
import { serverError } from './internal/errors.js';
import type { MfaServer } from './types.js';

export type { AdminAuthorization, AdminHooks } from './http/adminRoutes.js';

/**
 * Options of {@link createAdminHandler}.
 *
 * @example
 * ```ts
 * const options: AdminHandlerOptions = {
 *   server,
 *   authorize: async (req) => {
 *     const who = await sessions.verify(req.headers.get('authorization'));
 *     return who ? { ok: true, principal: who.email, organisations: who.orgs } : { ok: false, reason: 'unauthenticated' };
 *   },
 * };
 * ```
 */
export interface AdminHandlerOptions extends AdminHooks {
  /** The facade the routes call: what `createMfaServer` returned. */
  server: MfaServer;
  /**
   * Your authorisation, run for every admin request before its body is read: who is calling and
   * which organisations it may act on, or a refusal (401, 403, 429). The SDK has no password of
   * its own. A throw is a 500 (logged with the error's class and code only).
   */
  authorize: (req: Request) => AdminAuthorization | Promise<AdminAuthorization>;
  /** Mount point, e.g. `/mfa` (no trailing slash). Default `''`. */
  basePath?: string;
  /** Largest request body read, 256..1,048,576 bytes. Default 16,384. */
  maxBodyBytes?: number;
  /** Receives one {@link HttpLogEntry} per request, with the request it answers. Errors it throws are ignored. */
  log?: (entry: HttpLogEntry, req: Request) => void;
}

/**
 * A Fetch-API handler with the **admin** routes (docs/server.md section 7.4): enrolments
 * (start, list, get, re-issue, revoke, unlock), verify a code, push (send, status, resume), the
 * audit log, key rotation status and rotation, all below `/v1/admin/orgs/{orgId}`. Every
 * request passes your `authorize` hook first, and the organisation in its path must be one the
 * principal may act on; the audit entries the action writes carry the principal
 * (`detail.actor`). Bodies and queries are checked with the zod schemas the OpenAPI document is
 * generated from (`createOpenApiDocument`); errors are `{ error: { code, message } }`.
 *
 * Serve it on its own listener or path, apart from the device routes (`createHttpHandler`);
 * `createNodeAdminHandler` (`@cloudmfa/server/node`) is the same on `node:http`.
 *
 * @example
 * ```ts
 * const admin = createAdminHandler({ server, authorize, basePath: '/admin' });
 * const res = await admin(new Request('https://mfa.acme.example/admin/v1/admin/orgs/default/enrolments?userId=alice', { headers: { authorization: 'Bearer ...' } }));
 * ```
 */
export function createAdminHandler(options: AdminHandlerOptions): (req: Request) => Promise<Response> {
  if (typeof options !== 'object' || options === null) throw serverError('ERR_SERVER_CONFIG', '"options" expected an object with "server" and "authorize"');
  const { server, log, basePath, maxBodyBytes } = options;
  const table = checkAdminOptions(options);
  const { dispatch } = createDispatcher(server, { basePath, maxBodyBytes, table, ...(typeof log === 'function' ? { log: (entry: HttpLogEntry, req: NeutralRequest) => log(entry, req.native as Request) } : { log }) });
  return async (req: Request): Promise<Response> => toResponse((await dispatch(fetchRequest(req, undefined, true))) as NeutralResponse);
}
