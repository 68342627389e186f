import { checkedRandom, type Clock, encodeBase64Url, type RandomSource, type Signer, systemClock, systemRandom } from '@cloudmfa/core';
import { isEnrolmentId } from './_claims.js';
import { signJws } from './_jws.js';
import { thumbprintOf } from './_keys.js';
import { assertClock, assertOptionsObject, assertRandom, assertSigner, misuse, readClock } from './_options.js';
import { PUSH_TYP } from './constants.js';

/**
 * Options of {@link createPushPollRequest}.
 *
 * @example
 * ```ts
 * const options: CreatePushPollRequestOptions = { enrolmentId: identity.enrolmentId, signer: deviceKey };
 * ```
 */
export interface CreatePushPollRequestOptions {
  /** This identity's enrolment id. */
  enrolmentId: string;
  /** The device key (`ES256`). */
  signer: Signer;
  /** Clock (ms). Default `systemClock`. */
  now?: Clock;
  /** Random source for the request id. Default `systemRandom`. */
  random?: RandomSource;
}

/**
 * App side: a device-signed request to list the enrolment's pending challenges, valid for
 * +-60 s around its time, so push delivery is never the only path. Send it to the server's poll
 * endpoint and verify each challenge it returns with `verifyPushChallenge`.
 *
 * @example
 * ```ts
 * const request = await createPushPollRequest({ enrolmentId: identity.enrolmentId, signer: deviceKey });
 * const res = await fetch(`${origin}/v1/push/poll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request }) });
 * const { challenges } = (await res.json()) as { challenges: string[] };
 * ```
 */
export async function createPushPollRequest(options: CreatePushPollRequestOptions): Promise<string> {
  assertOptionsObject(options, 'options');
  const { enrolmentId, signer, now = systemClock, random = systemRandom } = options;
  if (!isEnrolmentId(enrolmentId)) misuse('"enrolmentId" expected 1-128 characters of [A-Za-z0-9._:-]');
  assertSigner(signer, 'signer', ['ES256']);
  assertClock(now);
  assertRandom(random);
  const iat = Math.floor(readClock(now) / 1000);
  const jti = encodeBase64Url(checkedRandom(random)(16));
  return signJws(PUSH_TYP.poll, thumbprintOf(signer), { sub: enrolmentId, iat, jti }, signer);
}
