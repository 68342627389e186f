import { type CloudMfaErrorCode, isCloudMfaError } from '@cloudmfa/core';
import type { HttpErrorCode } from '../errors.js';
import { serverError } from '../internal/errors.js';
import type { MfaOrganisationServer, MfaServer } from '../types.js';
import type { NeutralRequest, NeutralResponse } from './neutral.js';
import { fail } from './respond.js';
import { matchRoute, METHODS, PATTERNS, runRoute } from './routes.js';

/** A route found for a path: its pattern (for the log), the methods it takes, and how to run it for this method (`null`: 405). */
export interface FoundRoute {
  pattern: string;
  allow: string;
  run: ((req: NeutralRequest, server: MfaOrganisationServer) => Promise<NeutralResponse>) | null;
}

/** A route table: the route of a method and a path below the mount point, or `null` (404). */
export type RouteTable = (method: string, path: string) => FoundRoute | null;

/** The device routes (routes.ts) as a table, run on the request's organisation. */
function deviceTable(maxBodyBytes: number): RouteTable {
  return (method, path) => {
    const found = matchRoute(path);
    if (!found) return null;
    const allow = METHODS[found.route];
    return { pattern: PATTERNS[found.route], allow, run: method === allow ? (req, server) => runRoute(server, found, req, maxBodyBytes) : null };
  };
}

/**
 * One log entry per request. It never holds a body, a token, a header value or an error
 * message: only what the handler decided.
 *
 * @example
 * ```ts
 * const log = (e: HttpLogEntry) => console.log(JSON.stringify(e));
 * ```
 */
export interface HttpLogEntry {
  method: string;
  /** The matched route pattern (e.g. `/v1/push/challenges/:id`, `/v1/admin/orgs/{orgId}/enrolments`), or `null`. */
  route: string | null;
  status: number;
  /** The error code answered (an admin route's 400 may carry the facade's own, e.g. `ERR_INVALID_ARGUMENT`), or `null` on success. */
  code: HttpErrorCode | CloudMfaErrorCode | null;
  /** For a 500 only: the error's class name and code, never its message. */
  error?: { name: string; code?: string };
}

/**
 * What a `resolveOrganisation` hook answers for one request: the organisation id, or the id with
 * the path prefix that named it (path-based resolution: the routes are matched below
 * `basePath`); `null` or `undefined` when the request names no organisation (404, or passed on
 * by the node handler when it has a `next`).
 *
 * @example
 * ```ts
 * const byHost = (host: string | null): ResolvedOrganisation => host?.split('.')[0] ?? null; // acme.mfa.example -> acme
 * const byPath: ResolvedOrganisation = { organisationId: 'acme', basePath: '/orgs/acme' };
 * ```
 */
export type ResolvedOrganisation = string | { organisationId: string; basePath: string } | null | undefined;

/** The options every adapter shares, checked the same way. */
export interface DispatchOptions {
  basePath?: string;
  maxBodyBytes?: number;
  clientIp?: unknown;
  log?: (entry: HttpLogEntry, req: NeutralRequest) => void;
  /** The routes served; default the device routes. Given the checked `maxBodyBytes`. */
  table?: (maxBodyBytes: number) => RouteTable;
  /** The adapter's `resolveOrganisation`, called with the neutral request. */
  resolve?: ((req: NeutralRequest) => ResolvedOrganisation | Promise<ResolvedOrganisation>) | undefined;
}

const BASE_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/** What a dispatch decided: the answer, or "not mine" when the adapter may pass the request on. */
type Dispatched = NeutralResponse | null;

export interface Dispatcher {
  /** Answers a request; with `passUnmatched`, a path outside the routes resolves `null` (nothing answered, nothing logged). */
  dispatch(req: NeutralRequest, passUnmatched?: boolean): Promise<Dispatched>;
}

/**
 * The device API's core, shared by `createHttpHandler` (Fetch) and `createNodeHandler`
 * (node:http): option checks, routing below `basePath`, methods, the route table, error mapping
 * (503 for an unavailable store, 500 for a bug) and the log entry. Adapters only translate
 * requests and responses.
 */
export function createDispatcher(server: MfaServer, options: DispatchOptions): Dispatcher {
  if (typeof server !== 'object' || server === null || typeof server.completeActivation !== 'function') {
    throw serverError('ERR_SERVER_CONFIG', '"server" expected what createMfaServer returned');
  }
  const { basePath = '', maxBodyBytes = 16_384, clientIp, log, resolve, table: makeTable } = options ?? {};
  if (resolve !== undefined && (typeof resolve !== 'function' || typeof server.forOrganisation !== 'function')) {
    throw serverError('ERR_SERVER_CONFIG', '"resolveOrganisation" expected a function, with a server from createMfaServer');
  }
  if (typeof basePath !== 'string' || (basePath !== '' && !BASE_PATH.test(basePath))) {
    throw serverError('ERR_SERVER_CONFIG', '"basePath" expected "" or /segment[/segment...] without a trailing slash');
  }
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 256 || maxBodyBytes > 1_048_576) {
    throw serverError('ERR_SERVER_CONFIG', '"maxBodyBytes" expected an integer in [256, 1048576]');
  }
  if (clientIp !== undefined && typeof clientIp !== 'function') throw serverError('ERR_SERVER_CONFIG', '"clientIp" expected a function');
  if (log !== undefined && typeof log !== 'function') throw serverError('ERR_SERVER_CONFIG', '"log" expected a function');
  const table = makeTable ? makeTable(maxBodyBytes) : deviceTable(maxBodyBytes);

  const defaultOrganisation = Object.freeze({ id: null, base: basePath });
  /**
   * The organisation of a request and the base path its routes sit under; `null`: it names
   * none. A resolver's `ERR_ORGANISATION_NOT_FOUND` is the same `null`.
   */
  const organisationOf = async (
    req: NeutralRequest,
    resolver: NonNullable<DispatchOptions['resolve']>,
  ): Promise<{ id: string | null; base: string } | null> => {
    let r: ResolvedOrganisation;
    try {
      r = await resolver(req);
    } catch (e) {
      if (isCloudMfaError(e, 'ERR_ORGANISATION_NOT_FOUND')) return null;
      throw e;
    }
    if (r === null || r === undefined) return null;
    if (typeof r === 'string') return { id: r, base: basePath };
    if (typeof r === 'object' && typeof r.organisationId === 'string' && typeof r.basePath === 'string' && BASE_PATH.test(r.basePath)) {
      return { id: r.organisationId, base: r.basePath };
    }
    throw serverError('ERR_SERVER_CONFIG', '"resolveOrganisation" expected an id, { organisationId, basePath } or null');
  };

  const logged = (req: NeutralRequest, route: string | null, res: NeutralResponse, error?: HttpLogEntry['error']): NeutralResponse => {
    if (log) {
      const method = req.method;
      try {
        log(error ? { method, route, status: res.status, code: res.code, error } : { method, route, status: res.status, code: res.code }, req);
      } catch {
        // A logger must not turn an answer into an error.
      }
    }
    return res;
  };

  async function dispatch(req: NeutralRequest, passUnmatched = false): Promise<Dispatched> {
    const method = req.method;
    const answer = (route: string | null, res: NeutralResponse, error?: HttpLogEntry['error']) => logged(req, route, res, error);
    let route: string | null = null;
    try {
      let path = req.path;
      if (path === null) return answer(route, fail(400, 'ERR_HTTP_MALFORMED'));
      // An unknown organisation is answered like an unknown route (docs/server.md, "Organisations", HTTP).
      // Without a resolver every request is the default organisation's: no promise to wait for.
      const org = resolve ? await organisationOf(req, resolve) : defaultOrganisation;
      if (org === null) return passUnmatched ? null : answer(route, fail(404, 'ERR_HTTP_NOT_FOUND'));
      if (org.base !== '') {
        if (!path.startsWith(`${org.base}/`)) return passUnmatched ? null : answer(route, fail(404, 'ERR_HTTP_NOT_FOUND'));
        path = path.slice(org.base.length);
      }
      const found = table(method, path);
      if (!found) return passUnmatched ? null : answer(route, fail(404, 'ERR_HTTP_NOT_FOUND'));
      route = found.pattern;
      if (!found.run) return answer(route, fail(405, 'ERR_HTTP_METHOD', { allow: found.allow }));
      let scoped: MfaOrganisationServer = server;
      if (org.id !== null) {
        try {
          scoped = await server.forOrganisation(org.id);
        } catch (e) {
          if (isCloudMfaError(e, 'ERR_ORGANISATION_NOT_FOUND')) return answer(route, fail(404, 'ERR_HTTP_NOT_FOUND'));
          throw e;
        }
      }
      return answer(route, await found.run(req, scoped));
    } catch (e) {
      if (isCloudMfaError(e, 'ERR_STORAGE_UNAVAILABLE') || isCloudMfaError(e, 'ERR_KEK_UNAVAILABLE')) return answer(route, fail(503, 'ERR_HTTP_UNAVAILABLE', { 'retry-after': '1' }));
      const err = e as { name?: unknown; code?: unknown } | null;
      const name = typeof err?.name === 'string' ? err.name : 'Error';
      return answer(route, fail(500, 'ERR_HTTP_INTERNAL'), typeof err?.code === 'string' ? { name, code: err.code } : { name });
    }
  }
  return { dispatch };
}
