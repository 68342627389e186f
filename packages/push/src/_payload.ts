// Shared by the APNs and FCM builders: the alert text, the challenge check and the size rule.
import { CloudMfaError } from '@cloudmfa/core';
import { misuse } from './_options.js';
import { hasForbiddenCharacter, utf8Length } from './_text.js';
import { PUSH_LIMITS } from './constants.js';
import { peekPushMessage } from './peekPushMessage.js';
import type { PushChallengeRecord, PushContext } from './types.js';

/**
 * The visible notification text. The phone's system shows it as it comes, before the app has
 * verified anything and on the lock screen, so it must be generic: never the number, an IP
 * address, a location or anything else of the challenge's context that the lock screen must not
 * show (docs/protocol/push.md 7). Display text rules apply (no control, bidi or separator characters).
 *
 * @example
 * ```ts
 * const alert: PushAlert = { title: 'Acme VPN', body: 'Approve the sign-in?' };
 * ```
 */
export interface PushAlert {
  /** At most 64 characters. Default: "Sign-in request". */
  readonly title?: string;
  /** At most 200 characters. Default: "Open the app to review it." */
  readonly body?: string;
}

/**
 * Options of the push payload builders.
 *
 * @example
 * ```ts
 * const options: BuildPushPayloadOptions = { challenge: created, alert: { body: 'Approve the sign-in?' }, maxBytes: 4096 };
 * ```
 */
export interface BuildPushPayloadOptions {
  /** What `createPushChallenge` returned (or the stored token and record). Its `context` never goes into the visible text. */
  challenge: { readonly token: string; readonly record: PushChallengeRecord; readonly context?: PushContext };
  /** The notification text. Localise it here. */
  alert?: PushAlert;
  /** Size budget in UTF-8 bytes of the JSON, 256-4096. Default 4096 (APNs and FCM). */
  maxBytes?: number;
}

export interface PayloadInput {
  readonly id: string;
  readonly exp: number;
  readonly ttl: number;
  readonly token: string;
  readonly title: string;
  readonly body: string;
  readonly maxBytes: number;
}

// Generic on purpose: shown on a lock screen, unverified (docs/protocol/push.md 7).
const DEFAULT_TITLE = 'Sign-in request';
const DEFAULT_BODY = 'Open the app to review it.';

function alertText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0) misuse(`"alert.${field}" expected a non-empty string`);
  if (value.length > max) misuse(`"alert.${field}" is ${value.length} characters, the cap is ${max}`);
  if (hasForbiddenCharacter(value)) misuse(`"alert.${field}" contains control, bidi or separator characters`);
  return value;
}

export function payloadInput(options: BuildPushPayloadOptions): PayloadInput {
  if (typeof options !== 'object' || options === null) misuse('"options" expected an options object');
  const { challenge, alert = {}, maxBytes = PUSH_LIMITS.maxPayloadBytes } = options;
  if (typeof challenge !== 'object' || challenge === null) misuse('"challenge" expected what createPushChallenge returned');
  const { token, record } = challenge;
  const peek = peekPushMessage(token);
  if (!peek.ok || peek.kind !== 'challenge' || typeof record !== 'object' || record === null || peek.challengeId !== record.id) {
    misuse('"challenge" expected a challenge token and its own record');
  }
  if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 256 || maxBytes > PUSH_LIMITS.maxPayloadBytes) {
    misuse(`"maxBytes" expected an integer in [256, ${PUSH_LIMITS.maxPayloadBytes}]`);
  }
  if (typeof alert !== 'object' || alert === null) misuse('"alert" expected { title?, body? }');
  const title = alertText(alert.title ?? DEFAULT_TITLE, 'title', PUSH_LIMITS.alertTitle);
  const body = alertText(alert.body ?? DEFAULT_BODY, 'body', PUSH_LIMITS.alertBody);
  const exp = Math.floor(record.expiresAt / 1000);
  return { id: record.id, exp, ttl: Math.max(0, exp - Math.floor(record.issuedAt / 1000)), token, title, body, maxBytes };
}

/**
 * A built payload: the object, its JSON and its size.
 *
 * @example
 * ```ts
 * const { json, bytes, challengeIncluded } = buildFcmPayload({ challenge: created });
 * if (!challengeIncluded) log.info('challenge sent by id only', { bytes });
 * ```
 */
export interface SizedPayload<T> {
  /** The payload object. */
  readonly payload: T;
  /** `JSON.stringify(payload)`: send these exact bytes. */
  readonly json: string;
  /** UTF-8 size of `json`. */
  readonly bytes: number;
  /** False when the challenge did not fit and only its id is sent: the app then polls for it. */
  readonly challengeIncluded: boolean;
}

/**
 * The full payload if it fits, else the id-only one; `ERR_PUSH_PAYLOAD_TOO_LARGE` when neither
 * does. Nothing is ever truncated.
 */
export function fitPayload<T>(build: (includeChallenge: boolean) => T, maxBytes: number): SizedPayload<T> {
  for (const includeChallenge of [true, false]) {
    const payload = build(includeChallenge);
    const json = JSON.stringify(payload);
    const bytes = utf8Length(json);
    if (bytes <= maxBytes) return Object.freeze({ payload, json, bytes, challengeIncluded: includeChallenge });
  }
  throw new CloudMfaError('ERR_PUSH_PAYLOAD_TOO_LARGE', `the push payload does not fit in ${maxBytes} bytes even without the challenge`);
}
