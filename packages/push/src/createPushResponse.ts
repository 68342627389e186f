import { type Clock, CloudMfaError, type Signer, systemClock } from '@cloudmfa/core';
import { isTypedNumber } from './_claims.js';
import { signJws } from './_jws.js';
import { thumbprintOf } from './_keys.js';
import { assertClock, assertOptionsObject, assertSigner, misuse, readClock } from './_options.js';
import { isVerified } from './_verified.js';
import { PUSH_TYP } from './constants.js';
import type { PushDecision } from './types.js';
import type { VerifiedPushChallenge } from './verifyPushChallenge.js';

/**
 * Options of {@link createPushResponse}.
 *
 * @example
 * ```ts
 * const options: CreatePushResponseOptions = { challenge: verified.challenge, decision: 'suspicious', userVerified: true, signer: deviceKey };
 * ```
 */
export interface CreatePushResponseOptions {
  /** The challenge exactly as `verifyPushChallenge` returned it. */
  challenge: VerifiedPushChallenge;
  /** Confirm (approve), Suspicious (deny and report) or Cancel (only closes the challenge). */
  decision: PushDecision;
  /** The number the user typed: required for a Confirm when `challenge.numberMatch`, refused otherwise. */
  number?: string;
  /** True when the app checked the PIN or biometrics just before signing. */
  userVerified: boolean;
  /** The device key (`ES256`): a software key or a hardware key through `signerFromHost`. */
  signer: Signer;
  /** Clock (ms). Default `systemClock`. */
  now?: Clock;
}

const DECISIONS: readonly PushDecision[] = ['confirm', 'suspicious', 'cancel'];

/**
 * App side: signs the user's answer to a verified challenge with the device key. The response
 * binds the challenge id and the SHA-256 of its exact token, the decision, the typed number
 * (number matching, Confirm only), whether the user was verified, and the time.
 *
 * It does not check the challenge's expiry again: the server's clock decides (`expired`); show
 * `challenge.expiresAt` as a countdown instead.
 *
 * Cancel is discarded on the phone and never audited: send a signed `cancel` only to close the
 * challenge early (or send nothing and let it expire). Suspicious is a denial the server audits
 * and reports as a risk event.
 *
 * Throws `ERR_PUSH_CHALLENGE_UNVERIFIED` for a challenge `verifyPushChallenge` did not return,
 * `ERR_PUSH_NUMBER_FORMAT` for a number that is not 1-8 digits (or missing/present wrongly:
 * restrict the input field to digits), `ERR_PUSH_SIGN_FAILED` when the signer throws (for
 * example a cancelled biometric prompt), `ERR_INVALID_ARGUMENT` for misuse.
 *
 * @example
 * ```ts
 * const token = await createPushResponse({
 *   challenge: verified.challenge,
 *   decision: 'confirm',
 *   number: typedNumber,
 *   userVerified: true,
 *   signer: deviceKey,
 * });
 * await fetch(`${origin}/v1/push/respond`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response: token }) });
 * ```
 */
export async function createPushResponse(options: CreatePushResponseOptions): Promise<string> {
  assertOptionsObject(options, 'options');
  const { challenge, decision, number, userVerified, signer, now = systemClock } = options;
  if (!isVerified(challenge)) {
    throw new CloudMfaError('ERR_PUSH_CHALLENGE_UNVERIFIED', '"challenge" must be the object verifyPushChallenge returned');
  }
  if (!DECISIONS.includes(decision)) misuse('"decision" expected confirm, suspicious or cancel');
  if (typeof userVerified !== 'boolean') misuse('"userVerified" expected a boolean');
  assertSigner(signer, 'signer', ['ES256']);
  assertClock(now);

  const wantsNumber = decision === 'confirm' && challenge.numberMatch;
  if (wantsNumber && !isTypedNumber(number)) {
    throw new CloudMfaError('ERR_PUSH_NUMBER_FORMAT', '"number" expected the 1-8 digits shown on the sign-in page');
  }
  if (!wantsNumber && number !== undefined) {
    throw new CloudMfaError('ERR_PUSH_NUMBER_FORMAT', '"number" is only sent with a Confirm on a number-matching challenge');
  }

  const claims: Record<string, unknown> = { cid: challenge.id, chash: challenge.hash, dec: decision };
  if (wantsNumber) claims.num = number;
  claims.uv = userVerified;
  claims.iat = Math.floor(readClock(now) / 1000);
  return signJws(PUSH_TYP.response, thumbprintOf(signer), claims, signer);
}
