import { type Clock, type CryptoProvider, pureJsCryptoProvider, systemClock } from '@cloudmfa/core';
import { isEnrolmentId } from './_claims.js';
import { DEVICE_REQUEST_TYP } from './_device.js';
import { decodeJsonPayload, parseJws, verifyJwsSignature } from './_jws.js';
import { assertPublicKeyBytes, thumbprintOf } from './_keys.js';
import { assertClock, assertCrypto, assertOptionsObject, assertSkew, misuse, readClock } from './_options.js';
import { PUSH_LIMITS } from './constants.js';

// The device request's claims, checked by hand (docs/protocol/push.md section 3.4), without a
// schema library.

/** Longest device request token accepted, in characters (a 4,096-character push token fits). */
const DEVICE_REQUEST_LENGTH = 6144;

const ID128 = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const PUSH_TOKEN = /^[\x21-\x7e]{1,4096}$/;
const MAX_SECONDS = 253_402_300_799;

interface DeviceClaims {
  sub: string;
  act: 'push-token' | 'unregister';
  tok?: string | null;
  iat: number;
  jti: string;
}

/** The claims of a device request, or `null` when they are not exactly what the protocol allows. */
function parseDeviceClaims(value: unknown): DeviceClaims | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  const expected = v.act === 'push-token' ? ['sub', 'act', 'tok', 'iat', 'jti'] : v.act === 'unregister' ? ['sub', 'act', 'iat', 'jti'] : null;
  if (!expected || keys.length !== expected.length || !keys.every((k) => expected.includes(k))) return null;
  if (!isEnrolmentId(v.sub)) return null;
  if (typeof v.iat !== 'number' || !Number.isInteger(v.iat) || v.iat < 0 || v.iat > MAX_SECONDS) return null;
  if (typeof v.jti !== 'string' || !ID128.test(v.jti)) return null;
  if (v.act === 'push-token' && v.tok !== null && (typeof v.tok !== 'string' || !PUSH_TOKEN.test(v.tok))) return null;
  return v as unknown as DeviceClaims;
}

/**
 * Options of {@link verifyDeviceRequest}.
 *
 * @example
 * ```ts
 * const options: VerifyDeviceRequestOptions = { request, devicePublicKey, expectedEnrolmentId: enrolment.id, expectedAction: 'unregister' };
 * ```
 */
export interface VerifyDeviceRequestOptions {
  /** The device request token as received. */
  request: string;
  /** The enrolment's device public key: uncompressed P-256, 65 bytes. */
  devicePublicKey: Uint8Array;
  /** The enrolment the key belongs to (find it with `peekDeviceRequest`). */
  expectedEnrolmentId: string;
  /** The action of the route that received it. */
  expectedAction: 'push-token' | 'unregister';
  /** Clock (ms). Default `systemClock`. */
  now?: Clock;
  /** Accepted distance between the request time and `now`, ms, at most 300,000. Default 60,000. */
  maxSkewMs?: number;
  /** Default pure JS; `webCryptoProvider()` on servers. */
  crypto?: CryptoProvider;
}

/**
 * The result of {@link verifyDeviceRequest}.
 *
 * @example
 * ```ts
 * const result: VerifyDeviceRequestResult = await verifyDeviceRequest(options);
 * if (result.ok && result.action === 'push-token') await savePushToken(result.enrolmentId, result.pushToken);
 * ```
 */
export type VerifyDeviceRequestResult =
  | {
      readonly ok: true;
      readonly enrolmentId: string;
      readonly action: 'push-token' | 'unregister';
      /** The new push token (`push-token` only; `null` stops pushes). */
      readonly pushToken: string | null;
      readonly requestId: string;
      /** ms since the epoch. */
      readonly issuedAt: number;
    }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad_signature' | 'mismatch' | 'expired' };

/**
 * Server side: verifies a device request (device signature, enrolment, action, time within
 * +-60 s). Never throws on the token; misuse throws `ERR_INVALID_ARGUMENT`. Both actions are
 * idempotent, so a replay within the window repeats the same effect and gains nothing.
 *
 * @example
 * ```ts
 * const peek = peekDeviceRequest(body.request);
 * const enrolment = peek.ok ? await store.enrolments.get(peek.enrolmentId) : null;
 * const result = await verifyDeviceRequest({ request: body.request, devicePublicKey, expectedEnrolmentId: enrolment.id, expectedAction: 'unregister' });
 * ```
 */
export async function verifyDeviceRequest(options: VerifyDeviceRequestOptions): Promise<VerifyDeviceRequestResult> {
  assertOptionsObject(options, 'options');
  const { request, devicePublicKey, expectedEnrolmentId, expectedAction, now = systemClock, maxSkewMs = PUSH_LIMITS.defaultServerSkewMs, crypto = pureJsCryptoProvider } = options;
  assertPublicKeyBytes(devicePublicKey, 'devicePublicKey', 'ES256');
  if (!isEnrolmentId(expectedEnrolmentId)) misuse('"expectedEnrolmentId" expected 1-128 characters of [A-Za-z0-9._:-]');
  if (expectedAction !== 'push-token' && expectedAction !== 'unregister') misuse('"expectedAction" expected push-token or unregister');
  assertClock(now);
  assertSkew(maxSkewMs, 'maxSkewMs', PUSH_LIMITS.maxSkewMs);
  assertCrypto(crypto);

  const parsed = parseJws(request, DEVICE_REQUEST_LENGTH, DEVICE_REQUEST_TYP, ['ES256']);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const key = { algorithm: 'ES256', publicKey: devicePublicKey } as const;
  if (!(await verifyJwsSignature(parsed, key, thumbprintOf(key), crypto))) return { ok: false, reason: 'bad_signature' };
  const claims = parseDeviceClaims(decodeJsonPayload(parsed));
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.sub !== expectedEnrolmentId || claims.act !== expectedAction) return { ok: false, reason: 'mismatch' };
  const issuedAt = claims.iat * 1000;
  if (Math.abs(readClock(now) - issuedAt) > maxSkewMs) return { ok: false, reason: 'expired' };
  return { ok: true, enrolmentId: claims.sub, action: claims.act, pushToken: claims.act === 'push-token' ? (claims.tok ?? null) : null, requestId: claims.jti, issuedAt };
}

/**
 * Server side: reads the enrolment id of a device request without verifying it, to find the
 * device key to verify it with. Never throws.
 *
 * @example
 * ```ts
 * const peek = peekDeviceRequest(body.request);
 * if (!peek.ok) return badRequest();
 * ```
 */
export function peekDeviceRequest(token: unknown): { readonly ok: true; readonly enrolmentId: string } | { readonly ok: false; readonly reason: 'malformed' } {
  const parsed = parseJws(token, DEVICE_REQUEST_LENGTH, DEVICE_REQUEST_TYP, ['ES256']);
  const claims = parsed ? parseDeviceClaims(decodeJsonPayload(parsed)) : null;
  return claims ? { ok: true, enrolmentId: claims.sub } : { ok: false, reason: 'malformed' };
}
