import * as z from 'zod';
import { policySchema } from '../policy.js';
import { activationSettingsSchema, pushSettingsSchema } from '../internal/settings.js';

// The admin routes' shapes (docs/server.md section 7.4). The request schemas are what the route
// validates with (an activation's and a push's settings are the facade's own schemas); the
// response schemas describe what each route answers. Both feed the OpenAPI document
// (createOpenApiDocument), and the HTTP tests check every real answer against it.

export const ENROLMENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** An organisation id as the facade takes it (`default`: the server's own organisation). */
export const ORGANISATION_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const enrolmentId = z.string().regex(ENROLMENT_ID);
const userId = z.string().min(1).max(256);
const ms = z.number().int().min(0);
const ok = z.object({ ok: z.literal(true) });

/** An activation email address, checked before anything is issued: one address, optionally with a name; no control characters or list separators. */
const emailAddress = z.string().min(3).max(320).regex(/^[^\u0000-\u001f\u007f-\u009f,;]*@[^\u0000-\u001f\u007f-\u009f,;]*$/);

export const startBody = activationSettingsSchema.extend({ userId, email: emailAddress.optional() }).strict();
export const reissueBody = activationSettingsSchema.extend({ email: emailAddress.optional() }).strict();
export const revokeBody = z.object({ reason: z.string().regex(/^[a-z0-9_.-]{1,64}$/).optional() }).strict();
export const emptyBody = z.object({}).strict();
/** What a user typed: any string up to 256 characters is a typed refusal at worst, never an error. */
const code = z.string().max(256);
/** The end user's address as the caller knows it, for `policy.rateLimits` (docs/server.md section 12.2). */
const clientIp = z.string().optional();
export const verifyBody = z.union([z.object({ userId, code, clientIp }).strict(), z.object({ enrolmentId, code, clientIp }).strict()]);
const pushContext = z
  .object({
    service: z.string(),
    message: z.string().optional(),
    ip: z.string().optional(),
    location: z.string().optional(),
    device: z.string().optional(),
    time: ms.optional(),
  })
  .strict();
export const pushBody = pushSettingsSchema.extend({ userId, context: pushContext, enrolmentId: enrolmentId.optional() }).strict();
export const userBody = z.object({ userId }).strict();
export const rotateBody = z.union([z.object({ userId }).strict(), z.object({ enrolmentId }).strict()]);

// Organisation records. The policy is the facade's own schema (docs/server.md section 8): any
// subset, checked before anything is stored; what is stored is the input as given.
const organisationId = z.string().regex(ORGANISATION_ID);
const origin = z.string().min(1).max(127);
export const createOrganisationBody = z.object({ organisationId, issuer: z.string().min(1).max(256), origin: origin.optional(), policy: policySchema.optional() }).strict();
export const updateOrganisationBody = z
  .object({ issuer: z.string().min(1).max(256).optional(), origin: origin.nullable().optional(), policy: policySchema.optional(), expectedVersion: z.number().int().min(1).optional() })
  .strict();

// Query strings: the values as they arrive (strings), checked before they are converted.
const count = z.string().regex(/^[0-9]{1,4}$/);
const time = z.string().regex(/^[0-9]{1,16}$/);
const cursor = z.string().min(1).max(256);
export const listQuery = z.object({ userId, limit: count.optional(), cursor: cursor.optional() }).strict();
export const auditQuery = z
  .object({ userId: userId.optional(), enrolmentId: enrolmentId.optional(), from: time.optional(), to: time.optional(), limit: count.optional(), cursor: cursor.optional() })
  .strict();
export const organisationsQuery = z.object({ limit: count.optional(), cursor: cursor.optional() }).strict();
export const keysQuery = z.object({ userId: userId.optional(), enrolmentId: enrolmentId.optional() }).strict();

// Responses.
export const errorBody = z.object({ error: z.object({ code: z.string().regex(/^ERR_[A-Z0-9_]+$/), message: z.string() }).strict() }).strict();

export const startedActivation = z
  .object({
    enrolmentId,
    userId,
    mode: z.enum(['online', 'offline', 'otpauth']),
    text: z.string(),
    password: z.string().nullable(),
    uri: z.string().nullable(),
    qr: z.object({ svg: z.string(), png: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).describe('PNG, base64') }).strict(),
    expiresAt: ms,
    warnings: z.array(z.string()),
    email: z.record(z.string(), z.unknown()).optional().describe('What the `sendActivationEmail` hook returned, when the request had `email`'),
  })
  .strict();

const otpView = z.union([
  z.object({ type: z.literal('totp'), algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']), digits: z.number().int(), period: z.number().int() }).strict(),
  z.object({ type: z.literal('hotp'), algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']), digits: z.number().int(), counter: z.number().int() }).strict(),
]);
const platform = z.enum(['ios', 'android', 'web', 'other']);
export const enrolmentView = z
  .object({
    id: enrolmentId,
    userId,
    status: z.enum(['pending', 'active', 'revoked']),
    expired: z.boolean(),
    mode: z.enum(['online', 'offline', 'otpauth']),
    issuer: z.string(),
    account: z.string(),
    otp: otpView,
    device: z.object({ platform, keyThumbprint: z.string(), push: z.boolean() }).strict().nullable(),
    createdAt: ms,
    expiresAt: ms,
    activatedAt: ms.nullable(),
    revokedAt: ms.nullable(),
    keyId: z.string().nullable(),
  })
  .strict();
export const enrolmentList = z.object({ enrolments: z.array(enrolmentView), cursor: z.string().nullable() }).strict();
export const reissued = z.object({ ok: z.literal(true), revoked: z.boolean(), activation: startedActivation }).strict();
export const revoked = z.union([ok.strict(), z.object({ ok: z.literal(false), reason: z.literal('already_revoked') }).strict()]);
export const okBody = ok.strict();

export const verifyResult = z.union([
  z
    .object({ ok: z.literal(true), enrolmentId, userId, method: z.enum(['totp', 'hotp']), delta: z.number().int(), step: z.number().int(), activated: z.boolean() })
    .strict(),
  z
    .object({
      ok: z.literal(false),
      reason: z.literal('invalid'),
      detail: z.enum(['format', 'length', 'mismatch']),
      enrolmentId,
      failures: z.number().int(),
      retryAfterMs: ms.nullable(),
    })
    .strict(),
  z.object({ ok: z.literal(false), reason: z.literal('replayed'), enrolmentId }).strict(),
  z.object({ ok: z.literal(false), reason: z.literal('locked'), enrolmentId, retryAfterMs: ms }).strict(),
  z.object({ ok: z.literal(false), reason: z.literal('not_active'), enrolmentId, status: z.enum(['pending', 'revoked', 'expired']) }).strict(),
  z.object({ ok: z.literal(false), reason: z.literal('not_found') }).strict(),
]);

const sized = { payload: z.record(z.string(), z.unknown()), json: z.string(), bytes: z.number().int(), challengeIncluded: z.boolean() };
/** A verify or push refused by `policy.rateLimits` (docs/server.md section 12.2): answered 429 with `Retry-After`. */
export const rateLimitedResult = z.object({ ok: z.literal(false), reason: z.literal('rate_limited'), scope: z.enum(['ip', 'user']), retryAfterMs: ms }).strict();

export const pushResult = z.union([
  z
    .object({
      ok: z.literal(true),
      challengeId: z.string(),
      enrolmentId,
      token: z.string().describe('The challenge JWS'),
      number: z.string().nullable().describe('Show it on the login page; never send it to the phone'),
      expiresAt: ms,
      pushToken: z.string().nullable(),
      platform,
      apns: z.object({ ...sized, headers: z.record(z.string(), z.string()) }).strict(),
      fcm: z.object(sized).strict(),
    })
    .strict(),
  z.object({ ok: z.literal(false), reason: z.literal('no_device') }).strict(),
  z.object({ ok: z.literal(false), reason: z.literal('paused'), retryAfterMs: ms }).strict(),
  z.object({ ok: z.literal(false), reason: z.literal('too_many_pending'), pending: z.number().int() }).strict(),
]);

export const challengeStatus = z
  .object({ id: z.string(), status: z.enum(['pending', 'approved', 'denied', 'cancelled', 'expired']), expiresAt: ms, finalizedAt: ms.nullable(), numberMatch: z.boolean() })
  .strict();

export const auditPage = z
  .object({
    events: z.array(
      z
        .object({ id: z.string(), at: ms, kind: z.string(), enrolmentId: z.string().nullable(), userId: z.string().nullable(), detail: z.record(z.string(), z.unknown()) })
        .strict(),
    ),
    cursor: z.string().nullable(),
  })
  .strict();

export const keyStatus = z
  .object({
    currentKeyId: z.string(),
    enrolments: z.array(z.object({ enrolmentId, keyId: z.string().nullable(), current: z.boolean() }).strict()),
    stale: z.number().int().min(0),
  })
  .strict();
export const rotated = z.object({ examined: z.number().int(), rewrapped: z.number().int(), current: z.number().int(), failed: z.number().int() }).strict();

export const organisationView = z
  .object({
    id: organisationId,
    issuer: z.string(),
    origin: z.string().nullable(),
    policy: policySchema.describe('The resolved policy (every field present)'),
    policyInput: z.record(z.string(), z.unknown()).describe('The policy as given (what an update replaces)'),
    createdAt: ms,
    updatedAt: ms,
    version: z.number().int().min(1),
  })
  .strict();
export const organisationList = z.object({ organisations: z.array(organisationView), cursor: z.string().nullable() }).strict();
