import { createDispatcher, type HttpLogEntry, type ResolvedOrganisation } from './http/dispatch.js';
import { fetchRequest, toResponse } from './http/fetch.js';
import type { NeutralRequest, NeutralResponse } from './http/neutral.js';
import { serverError } from './internal/errors.js';
import type { MfaServer } from './types.js';

export type { HttpLogEntry } from './http/dispatch.js';

/**
 * Options of {@link createHttpHandler}.
 *
 * @example
 * ```ts
 * const options: HttpHandlerOptions = { server, basePath: '/mfa', clientIp: (req) => req.headers.get('x-real-ip') };
 * ```
 */
export interface HttpHandlerOptions {
  /** The facade the routes call: what `createMfaServer` returned. */
  server: MfaServer;
  /** Mount point, e.g. `/mfa` (no trailing slash). Default `''`. */
  basePath?: string;
  /** Largest request body read, 256..1,048,576 bytes. Default 16,384. */
  maxBodyBytes?: number;
  /** The client address on your runtime (e.g. from a trusted proxy header); feeds the redemption throttle. */
  clientIp?: (req: Request) => string | null | undefined;
  /** Receives one {@link HttpLogEntry} per request, with the request it answers. Errors it throws are ignored. */
  log?: (entry: HttpLogEntry, req: Request) => void;
  /**
   * The organisation a request is for (docs/server.md, "Organisations", HTTP): by host, path or header,
   * your choice. Every route then runs in that organisation's scope; `null`, an unknown id or
   * a thrown `ERR_ORGANISATION_NOT_FOUND` answer 404 `ERR_HTTP_NOT_FOUND`, exactly like an
   * unknown route. Absent: the default organisation.
   */
  resolveOrganisation?: (req: Request) => ResolvedOrganisation | Promise<ResolvedOrganisation>;
}

/**
 * A Fetch-API handler with the **device-facing** routes of the verify API (docs/server.md
 * section 7): `POST /v1/activations/redeem`, `POST /v1/push/respond`, `POST /v1/push/poll`,
 * `GET /v1/push/challenges/:id`, and the app's device routes `POST /v1/devices/push-token`,
 * `POST /v1/devices/unregister`, `GET /v1/time`. Bodies are read with a byte cap and validated with zod;
 * errors are `{ error: { code, message } }` with a stable code and fixed message; bad input
 * never yields a 500, and no response or log entry carries a secret.
 *
 * Admin operations (enrol, verify a code, send a push, revoke, rotate keys, audit) are not
 * here on purpose: call them from your own routes, behind your own authentication.
 *
 * This is the handler for Bun, Deno and workers; on Node, `createNodeHandler` from
 * `@cloudmfa/server/node` serves the same routes with the same rules without building a
 * `Request` and a `Response` per call.
 *
 * @example
 * ```ts
 * const handler = createHttpHandler({ server, basePath: '/mfa' });
 * Bun.serve({ fetch: handler });                       // or Deno.serve(handler), a Worker's fetch
 * const res = await handler(new Request('https://mfa.acme.example/mfa/v1/push/challenges/abc'));
 * ```
 */
export function createHttpHandler(options: HttpHandlerOptions): (req: Request) => Promise<Response> {
  if (typeof options !== 'object' || options === null) throw serverError('ERR_SERVER_CONFIG', '"options" expected an object with "server"');
  const { server, log, clientIp, resolveOrganisation, ...rest } = options;
  const { dispatch } = createDispatcher(server, {
    ...rest,
    clientIp,
    ...(typeof log === 'function' ? { log: (entry: HttpLogEntry, req: NeutralRequest) => log(entry, req.native as Request) } : { log }),
    resolve: typeof resolveOrganisation === 'function' ? (req: NeutralRequest) => resolveOrganisation(req.native as Request) : resolveOrganisation,
  });
  return async (req: Request): Promise<Response> => {
    return toResponse((await dispatch(fetchRequest(req, clientIp, false))) as NeutralResponse);
  };
}
