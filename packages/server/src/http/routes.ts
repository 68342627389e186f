import type { ActivationRefusalCode, HttpErrorCode } from '../errors.js';
import type { CompleteActivationResult, DeviceRequestResult, MfaOrganisationServer, PollPushChallengesResult, SubmitPushResponseResult } from '../types.js';
import { readJsonBody } from './body.js';
import type { NeutralRequest, NeutralResponse } from './neutral.js';
import { fail, ok } from './respond.js';
import { CHALLENGE_ID, deviceBody, pollBody, redeemBody, respondBody } from './schemas.js';

// The device routes: one table for every adapter (Fetch, node:http). A route reads what it
// needs from the neutral request and answers a neutral response; the adapters only translate.

export type Route = 'redeem' | 'respond' | 'poll' | 'status' | 'pushToken' | 'unregister' | 'time';

export const PATTERNS: Record<Route, string> = {
  redeem: '/v1/activations/redeem',
  respond: '/v1/push/respond',
  poll: '/v1/push/poll',
  status: '/v1/push/challenges/:id',
  pushToken: '/v1/devices/push-token',
  unregister: '/v1/devices/unregister',
  time: '/v1/time',
};

export const METHODS: Record<Route, 'GET' | 'POST'> = {
  redeem: 'POST',
  respond: 'POST',
  poll: 'POST',
  status: 'GET',
  pushToken: 'POST',
  unregister: 'POST',
  time: 'GET',
};

const EXACT = new Map<string, Route>(
  (Object.keys(PATTERNS) as Route[]).filter((r) => r !== 'status').map((r) => [PATTERNS[r], r]),
);
const STATUS_PREFIX = '/v1/push/challenges/';

/** The route of a path below the mount point, with the challenge id of the status route. */
export function matchRoute(path: string): { route: Route; id?: string } | null {
  const exact = EXACT.get(path);
  if (exact) return { route: exact };
  if (path.startsWith(STATUS_PREFIX) && path.length > STATUS_PREFIX.length && !path.includes('/', STATUS_PREFIX.length)) {
    return { route: 'status', id: path.slice(STATUS_PREFIX.length) };
  }
  return null;
}

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

/** The client address as the redemption throttle takes it (a string of 1..256 characters); a `clientIp` option that throws gives none. */
function readIp(req: NeutralRequest): string | undefined {
  try {
    const ip = req.clientIp();
    return typeof ip === 'string' && ip.length > 0 && ip.length <= 256 ? ip : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a matched route whose method is right. Throws only what the facade throws. */
export async function runRoute(server: MfaOrganisationServer, found: { route: Route; id?: string }, req: NeutralRequest, maxBodyBytes: number): Promise<NeutralResponse> {
  if (found.route === 'status') {
    const id = found.id as string;
    if (!CHALLENGE_ID.test(id)) return fail(400, 'ERR_HTTP_MALFORMED');
    const status = await server.getChallengeStatus(id);
    if (!status) return fail(404, 'ERR_PUSH_NOT_FOUND');
    return ok(status);
  }
  if (found.route === 'time') return ok({ serverTime: server.serverTime() });
  const body = await readJsonBody(req, maxBodyBytes);
  if (!body.ok) return fail(body.status, body.code);

  if (found.route === 'redeem') {
    if (!redeemBody.safeParse(body.value).success) return fail(400, 'ERR_ACTIVATION_MALFORMED');
    const ip = readIp(req);
    const r = await server.completeActivation({ request: body.value, ...(ip === undefined ? {} : { clientIp: ip }) });
    if (r.ok) return ok(r.response, { [SERVER_TIME_HEADER]: String(server.serverTime()) });
    const headers = r.retryAfterMs !== null ? { 'retry-after': String(Math.max(1, Math.ceil(r.retryAfterMs / 1000))) } : null;
    return fail(ACTIVATION_STATUS[r.reason], ACTIVATION_CODES[r.reason], headers);
  }
  if (found.route === 'respond') {
    const parsed = respondBody.safeParse(body.value);
    if (!parsed.success) return fail(400, 'ERR_PUSH_MALFORMED');
    const r = await server.submitPushResponse(parsed.data.response);
    if (r.ok) return ok({ challengeId: r.challengeId, status: r.status, suspicious: r.suspicious, detail: r.detail });
    return fail(PUSH_STATUS[r.reason], PUSH_CODES[r.reason]);
  }
  if (found.route === 'pushToken' || found.route === 'unregister') {
    const parsed = deviceBody.safeParse(body.value);
    if (!parsed.success) return fail(400, 'ERR_PUSH_MALFORMED');
    const r = found.route === 'pushToken' ? await server.updateDevicePushToken(parsed.data.request) : await server.unregisterDevice(parsed.data.request);
    if (r.ok) return ok(found.route === 'pushToken' ? { enrolmentId: r.enrolmentId, updated: true } : { enrolmentId: r.enrolmentId, unregistered: true });
    const [status, code] = DEVICE_STATUS[r.reason];
    return fail(status, code);
  }
  const parsed = pollBody.safeParse(body.value);
  if (!parsed.success) return fail(400, 'ERR_PUSH_MALFORMED');
  const r = await server.pollPushChallenges(parsed.data.request);
  if (r.ok) return ok({ enrolmentId: r.enrolmentId, challenges: r.challenges });
  // A poll for another enrolment is an authorisation failure, not a malformed request.
  return fail(r.reason === 'mismatch' ? 403 : PUSH_STATUS[r.reason], PUSH_CODES[r.reason]);
}
