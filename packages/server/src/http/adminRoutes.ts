import { type CloudMfaErrorCode, encodeBase64Url, isCloudMfaError } from '@cloudmfa/core';
import type { JsonObject } from '@cloudmfa/storage';
import type * as z from 'zod';
import { serverError } from '../internal/errors.js';
import type { CreatePushChallengeResult, MfaOrganisationServer, MfaServer, StartedActivation } from '../types.js';
import {
  auditPage,
  auditQuery,
  challengeStatus,
  createOrganisationBody,
  organisationList,
  organisationsQuery,
  organisationView,
  updateOrganisationBody,
  emptyBody,
  enrolmentList,
  enrolmentView,
  keysQuery,
  keyStatus,
  listQuery,
  ORGANISATION_ID,
  okBody,
  pushBody,
  pushResult,
  rateLimitedResult,
  reissueBody,
  reissued,
  revokeBody,
  revoked,
  rotateBody,
  rotated,
  startBody,
  startedActivation,
  userBody,
  verifyBody,
  verifyResult,
} from './adminSchemas.js';
import { readJsonBody } from './body.js';
import type { FoundRoute, RouteTable } from './dispatch.js';
import type { NeutralRequest, NeutralResponse } from './neutral.js';
import { fail, refused } from './respond.js';
import { CHALLENGE_ID } from './schemas.js';

/**
 * What an `authorize` hook decides about an admin request: who is calling and which
 * organisations it may act on, or a refusal (401, 403, or 429 with `Retry-After`).
 *
 * @example
 * ```ts
 * const allowed: AdminAuthorization = { ok: true, principal: 'ops:alice', organisations: ['acme'] };
 * const refused: AdminAuthorization = { ok: false, reason: 'unauthenticated' };
 * ```
 */
export type AdminAuthorization =
  | {
      ok: true;
      /** Who acts, as the audit log names it (`detail.actor`): 1..256 characters, never a credential. */
      principal: string;
      /** The organisation ids it may act on, or `'all'`. */
      organisations: readonly string[] | 'all';
    }
  | {
      ok: false;
      /** `unauthenticated`: 401 `ERR_ADMIN_UNAUTHORIZED`; `forbidden`: 403 `ERR_ADMIN_FORBIDDEN`; `throttled`: 429 `ERR_ADMIN_THROTTLED`. */
      reason: 'unauthenticated' | 'forbidden' | 'throttled';
      /** `throttled`: ms until a retry may pass (sent as `Retry-After`, in seconds). */
      retryAfterMs?: number;
      /** `unauthenticated`: the `WWW-Authenticate` challenge. Default `Bearer`. */
      challenge?: string;
    };

/**
 * The hooks an admin route may call besides the facade, with who asked and for which
 * organisation.
 *
 * @example
 * ```ts
 * const hooks: AdminHooks = { deliverPush: ({ challenge }) => apns.send(challenge.pushToken, challenge.apns.json) };
 * ```
 */
export interface AdminHooks {
  /**
   * Sends the activation email of an enrolment started (or re-issued) with `email` in its body;
   * what it returns is answered as the activation's `email` field (say whether it was sent;
   * never echo a credential there that the answer does not already hold). Without it, a request
   * with `email` is refused (400 `ERR_ADMIN_EMAIL_UNAVAILABLE`) before anything is issued.
   */
  sendActivationEmail?: (options: { activation: StartedActivation; to: string; organisationId: string; principal: string }) => JsonObject | Promise<JsonObject>;
  /**
   * Delivers a push challenge just created (APNs, FCM). Best effort: the app also polls; a throw
   * or a rejection is ignored and the challenge is answered as created.
   */
  deliverPush?: (options: {
    challenge: Extract<CreatePushChallengeResult, { ok: true }>;
    organisationId: string;
    principal: string;
  }) => void | Promise<void>;
}

/** What a route handler gets: the facades acting for the principal, the checked input, the hooks. */
interface Call {
  /** The organisation's operations (organisation routes), acting for the principal. */
  server: MfaOrganisationServer;
  /** The whole facade (organisation records), acting for the principal. */
  root: MfaServer;
  /** The organisations the principal may act on. */
  allowed: readonly string[] | 'all';
  params: Record<string, string>;
  body: unknown;
  query: Record<string, string>;
  organisationId: string;
  principal: string;
  hooks: AdminHooks;
}

/** A documented answer: its status, description and body schema. */
export interface Documented {
  status: number;
  description: string;
  schema: z.ZodType;
}

/** One admin route: what the OpenAPI document says about it and what it runs. */
export interface AdminRoute {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  summary: string;
  /** `records`: the organisation records themselves (below `/v1/admin/orgs`); else the routes of one organisation. */
  scope?: 'records';
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Its successful answers (every admin route can also answer ADMIN_ERRORS, and 413/415 with a body). */
  responses: Documented[];
  run(call: Call): Promise<NeutralResponse>;
}

const ORGS = '/v1/admin/orgs';
const ORG = `${ORGS}/{orgId}`;

const json = (status: number, body: unknown): NeutralResponse => ({ status, headers: null, body: JSON.stringify(body), code: null });
const notFound = (): NeutralResponse => fail(404, 'ERR_ADMIN_NOT_FOUND');

/**
 * A verify or push result as the API answers it: 200, or 429 with `Retry-After` (whole seconds,
 * rounded up) when `policy.rateLimits` refused it (docs/server.md section 12.2), the body the result.
 */
function limitedOr200(r: { ok: boolean; reason?: string; retryAfterMs?: number | null }): NeutralResponse {
  if (!r.ok && r.reason === 'rate_limited') {
    return { status: 429, headers: { 'retry-after': String(Math.max(1, Math.ceil((r.retryAfterMs ?? 0) / 1000))) }, body: JSON.stringify(r), code: null };
  }
  return json(200, r);
}
const RATE_LIMITED: Documented = { status: 429, description: 'Refused by `policy.rateLimits` (per address or per user); `Retry-After` says when to retry', schema: rateLimitedResult };

/** Standard base64 (what a data: URL or a MIME part takes) of the QR PNG. */
function base64(bytes: Uint8Array): string {
  const url = encodeBase64Url(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return url + '='.repeat((4 - (url.length % 4)) % 4);
}

/** An activation as JSON, with the activation email's outcome when one was asked for. */
async function activationJson(call: Call, a: StartedActivation, to: string | undefined): Promise<unknown> {
  const out: Record<string, unknown> = { ...a, qr: { svg: a.qr.svg, png: base64(a.qr.png) } };
  if (to !== undefined) {
    const send = call.hooks.sendActivationEmail as NonNullable<AdminHooks['sendActivationEmail']>;
    out.email = await send({ activation: a, to, organisationId: call.organisationId, principal: call.principal });
  }
  return out;
}

/** A request with `email` on a server that sends none is refused before anything is issued. */
const noEmail = (call: Call, body: { email?: string | undefined }) => body.email !== undefined && !call.hooks.sendActivationEmail;

// The user's enrolments are read whole (at most 1000, oldest first) and paged here by
// (createdAt, id), which never change: a page boundary stays put while enrolments are added.
const CURSOR = /^([0-9]{1,16})\.([A-Za-z0-9_-]{1,128})$/;

async function listPage(call: Call): Promise<NeutralResponse> {
  const q = call.query;
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (limit < 1 || limit > 1000) return fail(400, 'ERR_HTTP_MALFORMED');
  let after: [number, string] | null = null;
  if (q.cursor !== undefined) {
    const m = CURSOR.exec(q.cursor);
    if (!m) return fail(400, 'ERR_HTTP_MALFORMED');
    after = [Number(m[1]), m[2] as string];
  }
  const all = await call.server.listEnrolments(q.userId as string);
  const rest = after === null ? all : all.filter((e) => e.createdAt > (after as [number, string])[0] || (e.createdAt === (after as [number, string])[0] && e.id > (after as [number, string])[1]));
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return json(200, { enrolments: page, cursor: rest.length > limit && last ? `${last.createdAt}.${last.id}` : null });
}

/**
 * A principal of all organisations pages through the store; one of a list gets those of its list
 * that are stored, by id, paged the same way (the cursor is the last id).
 */
async function listOrganisations(call: Call): Promise<NeutralResponse> {
  const limit = call.query.limit === undefined ? undefined : Number(call.query.limit);
  if (limit !== undefined && (limit < 1 || limit > 1000)) return fail(400, 'ERR_HTTP_MALFORMED');
  const { cursor } = call.query;
  if (call.allowed === 'all') return json(200, await call.root.listOrganisations({ ...(limit === undefined ? {} : { limit }), ...(cursor === undefined ? {} : { cursor }) }));
  const ids = [...new Set(call.allowed)].filter((id) => ORGANISATION_ID.test(id) && (cursor === undefined || id > cursor)).sort();
  const found = [];
  const max = limit ?? 100;
  let last: string | null = null;
  for (const id of ids) {
    if (found.length === max) break;
    last = id;
    const o = await call.root.getOrganisation({ organisationId: id });
    if (o) found.push(o);
  }
  return json(200, { organisations: found, cursor: last !== null && ids.indexOf(last) < ids.length - 1 ? last : null });
}

/** The admin routes, organisation-scoped below `/v1/admin/orgs/{orgId}` (docs/server.md section 7.4). */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    operationId: 'listOrganisations',
    method: 'GET',
    path: ORGS,
    summary: 'The stored organisations the principal may act on, by id, paged (the default organisation is configured, not stored)',
    scope: 'records',
    query: organisationsQuery,
    responses: [{ status: 200, description: 'One page; `cursor` is `null` on the last', schema: organisationList }],
    run: listOrganisations,
  },
  {
    operationId: 'createOrganisation',
    method: 'POST',
    path: ORGS,
    summary: "Stores a new organisation: its issuer, origin and policy (a principal of all organisations only; audited in the new organisation's log)",
    scope: 'records',
    body: createOrganisationBody,
    responses: [{ status: 201, description: 'The organisation', schema: organisationView }],
    run: async (call) => {
      if (call.allowed !== 'all') return fail(403, 'ERR_ADMIN_FORBIDDEN');
      return json(201, await call.root.createOrganisation(call.body as z.infer<typeof createOrganisationBody>));
    },
  },
  {
    operationId: 'getOrganisation',
    method: 'GET',
    path: ORG,
    summary: 'One stored organisation',
    scope: 'records',
    responses: [{ status: 200, description: 'The organisation', schema: organisationView }],
    run: async (call) => {
      const o = await call.root.getOrganisation({ organisationId: call.organisationId });
      return o ? json(200, o) : notFound();
    },
  },
  {
    operationId: 'updateOrganisation',
    method: 'PATCH',
    path: ORG,
    summary: 'Changes an organisation: each field given replaces the stored one (audited with the changes); applies to new enrolments and the checks the policy governs',
    scope: 'records',
    body: updateOrganisationBody,
    responses: [{ status: 200, description: 'The organisation as stored now', schema: organisationView }],
    run: async (call) => json(200, await call.root.updateOrganisation({ organisationId: call.organisationId, ...(call.body as z.infer<typeof updateOrganisationBody>) })),
  },
  {
    operationId: 'listEnrolments',
    method: 'GET',
    path: `${ORG}/enrolments`,
    summary: "A user's enrolments, oldest first, paged (no secret)",
    query: listQuery,
    responses: [{ status: 200, description: 'One page; `cursor` is `null` on the last', schema: enrolmentList }],
    run: listPage,
  },
  {
    operationId: 'startActivation',
    method: 'POST',
    path: `${ORG}/enrolments`,
    summary: 'Enrols a user: the activation (envelope text, QR, password) to send them',
    body: startBody,
    responses: [{ status: 201, description: 'The pending enrolment and what to send the user; online mode carries no seed', schema: startedActivation }],
    run: async (call) => {
      const { email, ...options } = call.body as z.infer<typeof startBody>;
      if (noEmail(call, call.body as { email?: string })) return fail(400, 'ERR_ADMIN_EMAIL_UNAVAILABLE');
      return json(201, await activationJson(call, await call.server.startActivation(options), email));
    },
  },
  {
    operationId: 'getEnrolment',
    method: 'GET',
    path: `${ORG}/enrolments/{enrolmentId}`,
    summary: 'One enrolment (no secret)',
    responses: [{ status: 200, description: 'The enrolment', schema: enrolmentView }],
    run: async (call) => {
      const e = await call.server.getEnrolment(call.params.enrolmentId as string);
      return e ? json(200, e) : notFound();
    },
  },
  {
    operationId: 'reissueActivation',
    method: 'POST',
    path: `${ORG}/enrolments/{enrolmentId}/reissue`,
    summary: 'Revokes the enrolment (unless revoked) and issues a new activation for the same user',
    body: reissueBody,
    responses: [{ status: 200, description: 'The new activation', schema: reissued }],
    run: async (call) => {
      const { email, ...settings } = call.body as z.infer<typeof reissueBody>;
      if (noEmail(call, call.body as { email?: string })) return fail(400, 'ERR_ADMIN_EMAIL_UNAVAILABLE');
      const r = await call.server.reissueActivation({ enrolmentId: call.params.enrolmentId as string, ...settings });
      if (!r.ok) return notFound();
      return json(200, { ok: true, revoked: r.revoked, activation: await activationJson(call, r.activation, email) });
    },
  },
  {
    operationId: 'revokeEnrolment',
    method: 'POST',
    path: `${ORG}/enrolments/{enrolmentId}/revoke`,
    summary: 'Revokes an enrolment; its secret is wiped',
    body: revokeBody,
    responses: [{ status: 200, description: 'Revoked, or already revoked', schema: revoked }],
    run: async (call) => {
      const { reason } = call.body as z.infer<typeof revokeBody>;
      const r = await call.server.revokeEnrolment({ enrolmentId: call.params.enrolmentId as string, ...(reason === undefined ? {} : { reason }) });
      return !r.ok && r.reason === 'not_found' ? notFound() : json(200, r);
    },
  },
  {
    operationId: 'unlockOtp',
    method: 'POST',
    path: `${ORG}/enrolments/{enrolmentId}/unlock`,
    summary: "Clears an enrolment's OTP lockout (the replay state stays)",
    body: emptyBody,
    responses: [{ status: 200, description: 'Unlocked', schema: okBody }],
    run: async (call) => ((await call.server.unlockOtp(call.params.enrolmentId as string)).ok ? json(200, { ok: true }) : notFound()),
  },
  {
    operationId: 'verifyOtp',
    method: 'POST',
    path: `${ORG}/verify`,
    summary: "Verifies a code a user typed (one enrolment, or every active one of the user's)",
    body: verifyBody,
    responses: [{ status: 200, description: 'The typed outcome: a wrong, replayed or throttled code is `ok: false` with its reason', schema: verifyResult }, RATE_LIMITED],
    run: async (call) => limitedOr200(await call.server.verifyOtp(call.body as z.infer<typeof verifyBody>)),
  },
  {
    operationId: 'createPushChallenge',
    method: 'POST',
    path: `${ORG}/push`,
    summary: 'Sends a push challenge; the answer has the number for the login page and the APNs/FCM payloads',
    body: pushBody,
    responses: [{ status: 200, description: 'The challenge, or why none was created (`ok: false`)', schema: pushResult }, RATE_LIMITED],
    run: async (call) => {
      const { userId, context, ...settings } = call.body as z.infer<typeof pushBody>;
      const r = await call.server.createPushChallenge({ userId, context, ...settings });
      if (r.ok && call.hooks.deliverPush) {
        try {
          await call.hooks.deliverPush({ challenge: r, organisationId: call.organisationId, principal: call.principal });
        } catch {
          // Delivery is best effort: the app polls too.
        }
      }
      return limitedOr200(r);
    },
  },
  {
    operationId: 'getChallengeStatus',
    method: 'GET',
    path: `${ORG}/push/{challengeId}`,
    summary: 'A push challenge status (never the number)',
    responses: [{ status: 200, description: 'The status', schema: challengeStatus }],
    run: async (call) => {
      const s = await call.server.getChallengeStatus(call.params.challengeId);
      return s ? json(200, s) : notFound();
    },
  },
  {
    operationId: 'resumePush',
    method: 'POST',
    path: `${ORG}/push/resume`,
    summary: "Lifts a user's push pause (set by a Suspicious answer)",
    body: userBody,
    responses: [{ status: 200, description: 'Resumed', schema: okBody }],
    run: async (call) => {
      await call.server.resumePush((call.body as z.infer<typeof userBody>).userId);
      return json(200, { ok: true });
    },
  },
  {
    operationId: 'queryAudit',
    method: 'GET',
    path: `${ORG}/audit`,
    summary: 'The audit log, newest first, paged',
    query: auditQuery,
    responses: [{ status: 200, description: 'One page; pass `cursor` back for the next, `null` on the last', schema: auditPage }],
    run: async (call) => {
      const q: Record<string, string | number> = { ...call.query };
      for (const name of ['from', 'to', 'limit'] as const) if (call.query[name] !== undefined) q[name] = Number(call.query[name]);
      return json(200, await call.server.queryAudit(q));
    },
  },
  {
    operationId: 'getKeyStatus',
    method: 'GET',
    path: `${ORG}/keys`,
    summary: "Key rotation status: the current KEK id, and for a user or an enrolment which secrets are not under it yet",
    query: keysQuery,
    responses: [{ status: 200, description: 'The status', schema: keyStatus }],
    run: async (call) => {
      const { userId, enrolmentId } = call.query;
      if (userId !== undefined && enrolmentId !== undefined) return fail(400, 'ERR_HTTP_MALFORMED');
      return json(200, await call.server.getKeyStatus(userId !== undefined ? { userId } : enrolmentId !== undefined ? { enrolmentId } : undefined));
    },
  },
  {
    operationId: 'rotateKeys',
    method: 'POST',
    path: `${ORG}/keys/rotate`,
    summary: "Re-seals a user's (or one enrolment's) secrets under the current KEK",
    body: rotateBody,
    responses: [{ status: 200, description: 'What was examined and re-sealed; run again while `failed` > 0', schema: rotated }],
    run: async (call) => json(200, await call.server.rotateKeys(call.body as z.infer<typeof rotateBody>)),
  },
];

/** Errors every admin route can answer; a route with a body adds 413 and 415. */
export const ADMIN_ERRORS: readonly number[] = [400, 401, 403, 404, 429, 500, 503];

/** Facade errors that are the caller's input: answered 400 with their own code and message. */
const MISUSE = /^ERR_(INVALID_ARGUMENT|SERVER_POLICY|PUSH_CONTEXT_[A-Z_]+|PUSH_PAYLOAD_TOO_LARGE|STORAGE_INVALID|OTP_[A-Z_]+|OTPAUTH_[A-Z_]+|ENVELOPE_[A-Z_]+)$/;
const NOT_MISUSE = new Set<string>(['ERR_OTP_CRYPTO', 'ERR_ENVELOPE_KDF_FAILED']);

// ---------------------------------------------------------------------------------------------
// Matching and running

interface Compiled {
  route: AdminRoute;
  segments: string[];
}
const COMPILED: Compiled[] = ADMIN_ROUTES.map((route) => ({ route, segments: route.path.split('/').slice(1) }));

function matchSegments(segments: string[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string;
    const p = parts[i] as string;
    if (s.startsWith('{')) {
      if (p === '') return null;
      params[s.slice(1, -1)] = p;
    } else if (s !== p) return null;
  }
  return params;
}

/** The options the admin table runs with (checked by the factory). */
export interface AdminTableOptions {
  server: MfaServer;
  authorize: (native: unknown) => unknown;
  hooks: AdminHooks;
}

const PRINCIPAL = /^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]{1,256}$/;

/** Checks what the caller's hook returned: a wrong shape is the caller's bug (500, logged as `ERR_SERVER_CONFIG`). */
function checkAuthorization(a: unknown): AdminAuthorization {
  const bad = () => serverError('ERR_SERVER_CONFIG', '"authorize" expected to return { ok: true, principal, organisations } or { ok: false, reason }');
  if (typeof a !== 'object' || a === null) throw bad();
  const r = a as Record<string, unknown>;
  if (r.ok === true) {
    if (typeof r.principal !== 'string' || !PRINCIPAL.test(r.principal)) throw bad();
    if (r.organisations !== 'all' && !(Array.isArray(r.organisations) && r.organisations.every((o) => typeof o === 'string'))) throw bad();
    return a as AdminAuthorization;
  }
  if (r.ok === false && (r.reason === 'unauthenticated' || r.reason === 'forbidden' || r.reason === 'throttled')) return a as AdminAuthorization;
  throw bad();
}

function refusal(a: Extract<AdminAuthorization, { ok: false }>): NeutralResponse {
  if (a.reason === 'forbidden') return fail(403, 'ERR_ADMIN_FORBIDDEN');
  if (a.reason === 'throttled') {
    const ms = typeof a.retryAfterMs === 'number' && Number.isFinite(a.retryAfterMs) && a.retryAfterMs > 0 ? a.retryAfterMs : 1000;
    return fail(429, 'ERR_ADMIN_THROTTLED', { 'retry-after': String(Math.ceil(ms / 1000)) });
  }
  const challenge = typeof a.challenge === 'string' && /^[\x21-\x7e][\x20-\x7e]{0,255}$/.test(a.challenge) ? a.challenge : 'Bearer';
  return fail(401, 'ERR_ADMIN_UNAUTHORIZED', { 'www-authenticate': challenge });
}

/** The query string as one value per name; a repeated name or a broken escape is malformed. */
function readQuery(req: NeutralRequest): Record<string, string> | null {
  const text = req.query ? req.query() : '';
  const out: Record<string, string> = {};
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const i = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((i < 0 ? pair : pair.slice(0, i)).replace(/\+/g, ' '));
      value = decodeURIComponent((i < 0 ? '' : pair.slice(i + 1)).replace(/\+/g, ' '));
    } catch {
      return null;
    }
    if (Object.hasOwn(out, name)) return null;
    out[name] = value;
  }
  return out;
}

async function runAdmin(options: AdminTableOptions, route: AdminRoute, params: Record<string, string>, req: NeutralRequest, maxBodyBytes: number): Promise<NeutralResponse> {
  const auth = checkAuthorization(await options.authorize(req.native));
  if (!auth.ok) return refusal(auth);
  const organisationId = params.orgId;
  // Authorisation before existence: an organisation the principal may not act on is 403
  // whether or not it exists, so a principal cannot probe for other organisations.
  if (organisationId !== undefined && auth.organisations !== 'all' && !auth.organisations.includes(organisationId)) return fail(403, 'ERR_ADMIN_FORBIDDEN');
  if (organisationId !== undefined && !ORGANISATION_ID.test(organisationId)) return fail(404, 'ERR_ADMIN_NOT_FOUND');
  if (params.enrolmentId !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(params.enrolmentId)) return fail(400, 'ERR_HTTP_MALFORMED');
  if (params.challengeId !== undefined && !CHALLENGE_ID.test(params.challengeId)) return fail(400, 'ERR_HTTP_MALFORMED');

  const rawQuery = readQuery(req);
  if (rawQuery === null) return fail(400, 'ERR_HTTP_MALFORMED');
  let query: Record<string, string> = {};
  if (route.query) {
    const parsed = route.query.safeParse(rawQuery);
    if (!parsed.success) return fail(400, 'ERR_HTTP_MALFORMED');
    query = parsed.data as Record<string, string>;
  } else if (Object.keys(rawQuery).length > 0) return fail(400, 'ERR_HTTP_MALFORMED');

  let body: unknown;
  if (route.body) {
    const read = await readJsonBody(req, maxBodyBytes);
    if (!read.ok) return fail(read.status, read.code);
    // Checked, then passed on as sent: a schema's defaults (the policy's) are the facade's to fill.
    if (!route.body.safeParse(read.value).success) return fail(400, 'ERR_HTTP_MALFORMED');
    body = read.value;
  }
  const root = options.server.withActor(auth.principal);
  try {
    let server: MfaOrganisationServer = root;
    if (route.scope !== 'records' && organisationId !== undefined) {
      try {
        server = await root.forOrganisation(organisationId);
      } catch (e) {
        if (isCloudMfaError(e, 'ERR_ORGANISATION_NOT_FOUND')) return fail(404, 'ERR_ADMIN_NOT_FOUND');
        throw e;
      }
    }
    return await route.run({ server, root, allowed: auth.organisations, params, body, query, organisationId: organisationId ?? '', principal: auth.principal, hooks: options.hooks });
  } catch (e) {
    if (isCloudMfaError(e, 'ERR_ORGANISATION_NOT_FOUND')) return fail(404, 'ERR_ADMIN_NOT_FOUND');
    if (isCloudMfaError(e, 'ERR_ORGANISATION_CONFLICT')) return fail(409, 'ERR_ADMIN_CONFLICT');
    if (isCloudMfaError(e) && MISUSE.test(e.code) && !NOT_MISUSE.has(e.code)) return refused(e.code as CloudMfaErrorCode, e.message);
    throw e;
  }
}

/** The admin routes as a dispatcher table. */
export function adminTable(options: AdminTableOptions): (maxBodyBytes: number) => RouteTable {
  return (maxBodyBytes) =>
    (method, path): FoundRoute | null => {
      const parts = path.split('/').slice(1);
      let allow: string[] = [];
      let pattern: string | null = null;
      for (const c of COMPILED) {
        const params = matchSegments(c.segments, parts);
        if (!params) continue;
        pattern ??= c.route.path;
        if (c.route.method === method) {
          const route = c.route;
          return { pattern: route.path, allow: route.method, run: (req) => runAdmin(options, route, params, req, maxBodyBytes) };
        }
        allow.push(c.route.method);
      }
      if (pattern === null) return null;
      allow = [...new Set(allow)];
      return { pattern, allow: allow.join(', '), run: null };
    };
}

