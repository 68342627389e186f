import type { CloudMfaErrorCode } from '@cloudmfa/core';
import type { HttpErrorCode } from '../errors.js';
import type { NeutralResponse } from './neutral.js';

/** Headers on every answer, from every adapter. */
export const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
});

/** Fixed messages: never built from input. */
const MESSAGES: Record<HttpErrorCode, string> = {
  ERR_HTTP_NOT_FOUND: 'no such route',
  ERR_HTTP_METHOD: 'method not allowed on this route',
  ERR_HTTP_MEDIA_TYPE: 'the body must be application/json',
  ERR_HTTP_BODY_TOO_LARGE: 'the body is too large',
  ERR_HTTP_MALFORMED: 'the request is malformed',
  ERR_HTTP_UNAVAILABLE: 'the service is temporarily unavailable',
  ERR_HTTP_INTERNAL: 'internal error',
  ERR_ACTIVATION_MALFORMED: 'the redemption request is malformed',
  ERR_ACTIVATION_STALE: 'the device clock is too far from the server clock',
  ERR_ACTIVATION_INVALID: 'the activation could not be redeemed',
  ERR_ACTIVATION_ALREADY_REDEEMED: 'the activation was already redeemed',
  ERR_ACTIVATION_EXPIRED: 'the activation has expired',
  ERR_ACTIVATION_REVOKED: 'the activation was revoked',
  ERR_ACTIVATION_THROTTLED: 'too many refused attempts; try again later',
  ERR_PUSH_MALFORMED: 'the push message is malformed',
  ERR_PUSH_MISMATCH: 'the push message does not match',
  ERR_PUSH_BAD_SIGNATURE: 'the push message signature is not valid',
  ERR_PUSH_NOT_ACTIVE: 'the enrolment is not active',
  ERR_PUSH_NOT_FOUND: 'no such challenge or enrolment',
  ERR_PUSH_REPLAYED: 'the challenge was already answered',
  ERR_PUSH_EXPIRED: 'the challenge or the message time is out of bounds',
  ERR_PUSH_PAUSED: 'the user\'s pushes are paused; the challenge was closed',
  ERR_ADMIN_UNAUTHORIZED: 'missing or wrong admin credentials',
  ERR_ADMIN_FORBIDDEN: 'not allowed for this principal or organisation',
  ERR_ADMIN_THROTTLED: 'too many refused admin requests; try again later',
  ERR_ADMIN_NOT_FOUND: 'no such organisation, enrolment or challenge',
  ERR_ADMIN_CONFLICT: 'the organisation exists already, or changed since the expected version',
  ERR_ADMIN_EMAIL_UNAVAILABLE: 'this server sends no activation email',
};

// The error bodies are fixed: serialise each once.
const ERROR_BODIES = Object.fromEntries(
  Object.entries(MESSAGES).map(([code, message]) => [code, JSON.stringify({ error: { code, message } })]),
) as Record<HttpErrorCode, string>;

export function ok(body: unknown, headers: Record<string, string> | null = null): NeutralResponse {
  return { status: 200, headers, body: JSON.stringify(body), code: null };
}

/**
 * A 400 carrying a facade misuse error's own code and message: those messages name the field
 * and the rule, never the value (docs/contributing/api-style.md section 2).
 */
export function refused(code: CloudMfaErrorCode, message: string): NeutralResponse {
  return { status: 400, headers: null, body: JSON.stringify({ error: { code, message } }), code };
}

export function fail(status: number, code: HttpErrorCode, headers: Record<string, string> | null = null): NeutralResponse {
  return { status, headers, body: ERROR_BODIES[code], code };
}
