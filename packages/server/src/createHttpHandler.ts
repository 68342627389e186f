import { isCloudMfaError } from '@cloudmfa/core';
import type { ActivationRefusalCode, HttpErrorCode } from './errors.js';
import { readJsonBody } from './http/readJsonBody.js';
import { errorResponse, json } from './http/respond.js';
import { CHALLENGE_ID, deviceBody, pollBody, redeemBody, respondBody } from './http/schemas.js';
import { serverError } from './internal/errors.js';
import type { CompleteActivationResult, DeviceRequestResult, MfaServer, PollPushChallengesResult, SubmitPushResponseResult } from './types.js';

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
  /** The matched route pattern (e.g. `/v1/push/challenges/:id`), or `null`. */
  route: string | null;
  status: number;
  /** The error code answered, or `null` on success. */
  code: HttpErrorCode | null;
  /** For a 500 only: the error's class name and code, never its message. */
  error?: { name: string; code?: string };
}

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
  /** Receives one {@link HttpLogEntry} per request. Errors it throws are ignored. */
  log?: (entry: HttpLogEntry) => void;
}

type Route = 'redeem' | 'respond' | 'poll' | 'status' | 'pushToken' | 'unregister' | 'time';
const PATTERNS: Record<Route, string> = {
  redeem: '/v1/activations/redeem',
  respond: '/v1/push/respond',
  poll: '/v1/push/poll',
  status: '/v1/push/challenges/:id',
  pushToken: '/v1/devices/push-token',
  unregister: '/v1/devices/unregister',
  time: '/v1/time',
};
const METHODS: Record<Route, string> = {
  redeem: 'POST',
  respond: 'POST',
  poll: 'POST',
  status: 'GET',
  pushToken: 'POST',
  unregister: 'POST',
  time: 'GET',
};
/** Header with the server's clock (ms) on the redemption answer: the app's first clock correction. */
const SERVER_TIME_HEADER = 'x-cloudmfa-server-time';
const DEVICE_STATUS: Record<Extract<DeviceRequestResult, { ok: false }>['reason'], [number, HttpErrorCode]> = {
  malformed: [400, 'ERR_PUSH_MALFORMED'],
  not_found: [404, 'ERR_PUSH_NOT_FOUND'],
  not_active: [403, 'ERR_PUSH_NOT_ACTIVE'],
  bad_signature: [403, 'ERR_PUSH_BAD_SIGNATURE'],
  mismatch: [403, 'ERR_PUSH_MISMATCH'],
  expired: [410, 'ERR_PUSH_EXPIRED'],
  conflict: [503, 'ERR_HTTP_UNAVAILABLE'],
};

const ACTIVATION_STATUS: Record<Extract<CompleteActivationResult, { ok: false }>['reason'], number> = {
  malformed: 400,
  stale: 400,
  invalid: 403,
  already_redeemed: 409,
  expired: 410,
  revoked: 410,
  throttled: 429,
};

/** The HTTP error code of each refused redemption (the result says `reason`; the wire says `code`). */
const ACTIVATION_CODES: Record<Extract<CompleteActivationResult, { ok: false }>['reason'], ActivationRefusalCode> = {
  malformed: 'ERR_ACTIVATION_MALFORMED',
  invalid: 'ERR_ACTIVATION_INVALID',
  stale: 'ERR_ACTIVATION_STALE',
  expired: 'ERR_ACTIVATION_EXPIRED',
  already_redeemed: 'ERR_ACTIVATION_ALREADY_REDEEMED',
  revoked: 'ERR_ACTIVATION_REVOKED',
  throttled: 'ERR_ACTIVATION_THROTTLED',
};

const PUSH_CODES: Record<
  Extract<SubmitPushResponseResult, { ok: false }>['reason'] | Extract<PollPushChallengesResult, { ok: false }>['reason'],
  HttpErrorCode
> = {
  malformed: 'ERR_PUSH_MALFORMED',
  not_found: 'ERR_PUSH_NOT_FOUND',
  not_active: 'ERR_PUSH_NOT_ACTIVE',
  bad_signature: 'ERR_PUSH_BAD_SIGNATURE',
  mismatch: 'ERR_PUSH_MISMATCH',
  replayed: 'ERR_PUSH_REPLAYED',
  expired: 'ERR_PUSH_EXPIRED',
  paused: 'ERR_PUSH_PAUSED',
  tampered: 'ERR_PUSH_NOT_ACTIVE',
};
const PUSH_STATUS: Record<keyof typeof PUSH_CODES, number> = {
  malformed: 400,
  not_found: 404,
  not_active: 403,
  bad_signature: 403,
  mismatch: 400,
  replayed: 409,
  expired: 410,
  paused: 409,
  tampered: 403,
};

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
 * @example
 * ```ts
 * const handler = createHttpHandler({ server, basePath: '/mfa' });
 * Bun.serve({ fetch: handler });                       // or Deno.serve(handler), a Worker's fetch
 * const res = await handler(new Request('https://mfa.acme.example/mfa/v1/push/challenges/abc'));
 * ```
 */
export function createHttpHandler(options: HttpHandlerOptions): (req: Request) => Promise<Response> {
  if (typeof options !== 'object' || options === null) {
    throw serverError('ERR_SERVER_CONFIG', '"options" expected an object with the server');
  }
  const { server, basePath = '', maxBodyBytes = 16_384, clientIp, log } = options;
  if (typeof server !== 'object' || server === null || typeof server.completeActivation !== 'function') {
    throw serverError('ERR_SERVER_CONFIG', '"server" expected what createMfaServer returned');
  }
  if (typeof basePath !== 'string' || (basePath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath))) {
    throw serverError('ERR_SERVER_CONFIG', '"basePath" expected "" or /segment[/segment...] without a trailing slash');
  }
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 256 || maxBodyBytes > 1_048_576) {
    throw serverError('ERR_SERVER_CONFIG', '"maxBodyBytes" expected an integer in [256, 1048576]');
  }
  if (clientIp !== undefined && typeof clientIp !== 'function') throw serverError('ERR_SERVER_CONFIG', '"clientIp" expected a function');
  if (log !== undefined && typeof log !== 'function') throw serverError('ERR_SERVER_CONFIG', '"log" expected a function');

  const emit = (entry: HttpLogEntry): void => {
    if (!log) return;
    try {
      log(entry);
    } catch {
      // A logger must not turn an answer into an error.
    }
  };

  const match = (path: string): { route: Route; id?: string } | null => {
    if (path === PATTERNS.redeem) return { route: 'redeem' };
    if (path === PATTERNS.respond) return { route: 'respond' };
    if (path === PATTERNS.poll) return { route: 'poll' };
    if (path === PATTERNS.pushToken) return { route: 'pushToken' };
    if (path === PATTERNS.unregister) return { route: 'unregister' };
    if (path === PATTERNS.time) return { route: 'time' };
    const prefix = '/v1/push/challenges/';
    if (path.startsWith(prefix) && path.length > prefix.length && !path.slice(prefix.length).includes('/')) {
      return { route: 'status', id: path.slice(prefix.length) };
    }
    return null;
  };

  const readIp = (req: Request): string | undefined => {
    if (!clientIp) return undefined;
    try {
      const ip = clientIp(req);
      return typeof ip === 'string' && ip.length > 0 && ip.length <= 256 ? ip : undefined;
    } catch {
      return undefined;
    }
  };

  async function handle(req: Request, found: { route: Route; id?: string }): Promise<{ res: Response; code: HttpErrorCode | null }> {
    const fail = (status: number, code: HttpErrorCode, headers?: Record<string, string>) => ({ res: errorResponse(status, code, headers), code });
    if (found.route === 'status') {
      const id = found.id as string;
      if (!CHALLENGE_ID.test(id)) return fail(400, 'ERR_HTTP_MALFORMED');
      const status = await server.getChallengeStatus(id);
      if (!status) return fail(404, 'ERR_PUSH_NOT_FOUND');
      return { res: json(200, status), code: null };
    }
    if (found.route === 'time') return { res: json(200, { serverTime: server.serverTime() }), code: null };
    const body = await readJsonBody(req, maxBodyBytes);
    if (!body.ok) return fail(body.status, body.code);

    if (found.route === 'redeem') {
      if (!redeemBody.safeParse(body.value).success) return fail(400, 'ERR_ACTIVATION_MALFORMED');
      const ip = readIp(req);
      const r = await server.completeActivation({ request: body.value, ...(ip === undefined ? {} : { clientIp: ip }) });
      if (r.ok) return { res: json(200, r.response, { [SERVER_TIME_HEADER]: String(server.serverTime()) }), code: null };
      const headers = r.retryAfterMs !== null ? { 'retry-after': String(Math.max(1, Math.ceil(r.retryAfterMs / 1000))) } : undefined;
      return fail(ACTIVATION_STATUS[r.reason], ACTIVATION_CODES[r.reason], headers);
    }
    if (found.route === 'respond') {
      const parsed = respondBody.safeParse(body.value);
      if (!parsed.success) return fail(400, 'ERR_PUSH_MALFORMED');
      const r = await server.submitPushResponse(parsed.data.response);
      if (r.ok) return { res: json(200, { challengeId: r.challengeId, status: r.status, suspicious: r.suspicious, detail: r.detail }), code: null };
      return fail(PUSH_STATUS[r.reason], PUSH_CODES[r.reason]);
    }
    if (found.route === 'pushToken' || found.route === 'unregister') {
      const parsed = deviceBody.safeParse(body.value);
      if (!parsed.success) return fail(400, 'ERR_PUSH_MALFORMED');
      const r = found.route === 'pushToken' ? await server.updateDevicePushToken(parsed.data.request) : await server.unregisterDevice(parsed.data.request);
      if (r.ok) return { res: json(200, found.route === 'pushToken' ? { enrolmentId: r.enrolmentId, updated: true } : { enrolmentId: r.enrolmentId, unregistered: true }), code: null };
      const [status, code] = DEVICE_STATUS[r.reason];
      return fail(status, code);
    }
    const parsed = pollBody.safeParse(body.value);
    if (!parsed.success) return fail(400, 'ERR_PUSH_MALFORMED');
    const r = await server.pollPushChallenges(parsed.data.request);
    if (r.ok) return { res: json(200, { enrolmentId: r.enrolmentId, challenges: r.challenges }), code: null };
    // A poll for another enrolment is an authorisation failure, not a malformed request.
    return fail(r.reason === 'mismatch' ? 403 : PUSH_STATUS[r.reason], PUSH_CODES[r.reason]);
  }

  return async (req: Request): Promise<Response> => {
    const method = typeof req?.method === 'string' ? req.method.toUpperCase() : 'GET';
    let route: string | null = null;
    try {
      let path: string;
      try {
        path = new URL(req.url).pathname;
      } catch {
        emit({ method, route, status: 400, code: 'ERR_HTTP_MALFORMED' });
        return errorResponse(400, 'ERR_HTTP_MALFORMED');
      }
      if (basePath !== '') {
        if (!path.startsWith(`${basePath}/`)) {
          emit({ method, route, status: 404, code: 'ERR_HTTP_NOT_FOUND' });
          return errorResponse(404, 'ERR_HTTP_NOT_FOUND');
        }
        path = path.slice(basePath.length);
      }
      const found = match(path);
      if (!found) {
        emit({ method, route, status: 404, code: 'ERR_HTTP_NOT_FOUND' });
        return errorResponse(404, 'ERR_HTTP_NOT_FOUND');
      }
      route = PATTERNS[found.route];
      if (method !== METHODS[found.route]) {
        emit({ method, route, status: 405, code: 'ERR_HTTP_METHOD' });
        return errorResponse(405, 'ERR_HTTP_METHOD', { allow: METHODS[found.route] });
      }
      const { res, code } = await handle(req, found);
      emit({ method, route, status: res.status, code });
      return res;
    } catch (e) {
      if (isCloudMfaError(e, 'ERR_STORAGE_UNAVAILABLE') || isCloudMfaError(e, 'ERR_KEK_UNAVAILABLE')) {
        emit({ method, route, status: 503, code: 'ERR_HTTP_UNAVAILABLE' });
        return errorResponse(503, 'ERR_HTTP_UNAVAILABLE', { 'retry-after': '1' });
      }
      const err = e as { name?: unknown; code?: unknown } | null;
      const name = typeof err?.name === 'string' ? err.name : 'Error';
      emit({ method, route, status: 500, code: 'ERR_HTTP_INTERNAL', error: typeof err?.code === 'string' ? { name, code: err.code } : { name } });
      return errorResponse(500, 'ERR_HTTP_INTERNAL');
    }
  };
}
