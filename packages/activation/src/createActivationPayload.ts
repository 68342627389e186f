import { CloudMfaError, encodeBase64Url, type RandomSource, systemRandom } from '@cloudmfa/core';
import { ACTIVATION_ID_LENGTH, ACTIVATION_SECRET_LENGTH } from './internal/constants.js';
import { onlinePayloadSchema } from './internal/schemas.js';
import { parseArgument, randomBytes } from './internal/validate.js';
import type { OtpAlgorithm } from '@cloudmfa/otp';
import type { ActivationPolicy, OnlineActivationPayload } from './types.js';

/** The default policy: no PIN demanded (6 digits when one is), biometrics allowed. */
export const DEFAULT_POLICY: Readonly<ActivationPolicy> = Object.freeze({ pinRequired: false, minPinLength: 6, biometricsAllowed: true });

/**
 * Server side: a new online payload with a fresh 128-bit activation id and 256-bit activation
 * secret from `random`. Store it (the secret is a credential until redeemed or expired: keep
 * it encrypted at rest, never log it), then seal it with `sealEnvelope`.
 *
 * The payload carries no account: an emailed QR should not carry the user's address. Store
 * the account with the activation record and pass it to `createRedemptionResponse`, which
 * returns it to the device encrypted (docs/protocol/activation.md 3.1). An `account` option
 * (from code written for the first draft of the format) throws rather than being dropped.
 * Invalid fields throw `ERR_INVALID_ARGUMENT` naming the field.
 *
 * @example
 * ```ts
 * const payload = createActivationPayload({
 *   issuer: 'Acme Corporation',
 *   origin: 'https://mfa.example.com',
 *   policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
 * });
 * await db.insertActivation({ id: payload.activationId, payload, account: 'jane.doe@example.com' });
 * ```
 */
export function createActivationPayload(options: {
  issuer: string;
  origin: string;
  policy?: ActivationPolicy;
  otp?: { algorithm?: OtpAlgorithm; digits?: number; period?: number };
  random?: RandomSource;
}): OnlineActivationPayload {
  if (typeof options !== 'object' || options === null) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  }
  if ('account' in options) {
    throw new CloudMfaError(
      'ERR_INVALID_ARGUMENT',
      '"options.account" is not part of an online payload: store it with the activation and pass it to createRedemptionResponse',
    );
  }
  const { random = systemRandom, policy = DEFAULT_POLICY, otp = {} } = options;
  const candidate: OnlineActivationPayload = {
    mode: 'online',
    activationId: encodeBase64Url(randomBytes(random, ACTIVATION_ID_LENGTH)),
    activationSecret: encodeBase64Url(randomBytes(random, ACTIVATION_SECRET_LENGTH)),
    issuer: options.issuer,
    origin: options.origin,
    policy: { ...policy },
    otp: { type: 'totp', algorithm: otp.algorithm ?? 'SHA1', digits: otp.digits ?? 6, period: otp.period ?? 30 },
  };
  return parseArgument<OnlineActivationPayload>(onlinePayloadSchema, candidate, 'options');
}
