import { checkedRandom, type Clock, encodeBase64Url, type RandomSource, type Signer, systemClock, systemRandom } from '@cloudmfa/core';
import { isEnrolmentId } from './_claims.js';
import { signJws } from './_jws.js';
import { thumbprintOf } from './_keys.js';
import { assertClock, assertOptionsObject, assertRandom, assertSigner, misuse, readClock } from './_options.js';
import { DEVICE_REQUEST_TYP } from './_device.js';

const PUSH_TOKEN = /^[\x21-\x7e]{1,4096}$/;

/**
 * Options of {@link createDeviceRequest}.
 *
 * @example
 * ```ts
 * const options: CreateDeviceRequestOptions = { enrolmentId: identity.enrolmentId, action: 'unregister', signer: deviceKey };
 * ```
 */
export interface CreateDeviceRequestOptions {
  /** This identity's enrolment id. */
  enrolmentId: string;
  /** `push-token`: replace the device's APNs/FCM token; `unregister`: the user removed the identity. */
  action: 'push-token' | 'unregister';
  /** The new token (printable ASCII, 1..4096), or `null` to stop pushes; `push-token` only. */
  pushToken?: string | null;
  /** The device key (`ES256`). */
  signer: Signer;
  /** Clock (ms). Default `systemClock`. */
  now?: Clock;
  /** Random source for the request id. Default `systemRandom`. */
  random?: RandomSource;
}

/**
 * App side: a device-signed request about the device itself (JWS, `typ`
 * `cloudmfa-device+jwt`, valid for +-60 s around its time): replace its push token, or
 * unregister it when the user removes the identity. Send it as `{ request }` to
 * `POST /v1/devices/push-token` or `POST /v1/devices/unregister`. Misuse throws
 * `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const request = await createDeviceRequest({ enrolmentId: identity.enrolmentId, action: 'push-token', pushToken: newToken, signer: deviceKey });
 * await fetch(`${origin}/v1/devices/push-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request }) });
 * ```
 */
export async function createDeviceRequest(options: CreateDeviceRequestOptions): Promise<string> {
  assertOptionsObject(options, 'options');
  const { enrolmentId, action, pushToken, signer, now = systemClock, random = systemRandom } = options;
  if (!isEnrolmentId(enrolmentId)) misuse('"enrolmentId" expected 1-128 characters of [A-Za-z0-9._:-]');
  if (action !== 'push-token' && action !== 'unregister') misuse('"action" expected push-token or unregister');
  if (action === 'push-token' && pushToken !== null && (typeof pushToken !== 'string' || !PUSH_TOKEN.test(pushToken))) {
    misuse('"pushToken" expected null or 1..4096 printable ASCII characters');
  }
  if (action === 'unregister' && pushToken !== undefined) misuse('"pushToken" is only sent with the push-token action');
  assertSigner(signer, 'signer', ['ES256']);
  assertClock(now);
  assertRandom(random);
  const iat = Math.floor(readClock(now) / 1000);
  const jti = encodeBase64Url(checkedRandom(random)(16));
  const claims: Record<string, unknown> = { sub: enrolmentId, act: action };
  if (action === 'push-token') claims.tok = pushToken;
  claims.iat = iat;
  claims.jti = jti;
  return signJws(DEVICE_REQUEST_TYP, thumbprintOf(signer), claims, signer);
}
