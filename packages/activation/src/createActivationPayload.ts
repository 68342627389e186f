import { encodeBase64Url, type RandomSource, systemRandom } from '@cloudmfa/core';
import { ACTIVATION_ID_LENGTH, ACTIVATION_SECRET_LENGTH } from './internal/constants.js';
import { onlinePayloadSchema } from './internal/schemas.js';
import { parseArgument, randomBytes } from './internal/validate.js';
import type { ActivationPolicy, OnlineActivationPayload, OtpAlgorithm } from './types.js';

/** The default policy: no PIN demanded (6 digits when one is), biometrics allowed. */
export const DEFAULT_POLICY: Readonly<ActivationPolicy> = Object.freeze({ pinRequired: false, minPinLength: 6, biometricsAllowed: true });

/**
 * Server side: a new online payload with a fresh 128-bit activation id and 256-bit activation
 * secret from `random`. Store it (the secret is a credential until redeemed or expired: keep
 * it encrypted at rest, never log it), then seal it with `sealEnvelope`.
 * Invalid fields throw `ERR_INVALID_ARGUMENT` naming the field.
 *
 * @example
 * ```ts
 * const payload = createActivationPayload({
 *   issuer: 'Acme Corporation',
 *   account: 'jane.doe@example.com',
 *   origin: 'https://mfa.example.com',
 *   policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
 * });
 * ```
 */
export function createActivationPayload(options: {
  issuer: string;
  account: string;
  origin: string;
  policy?: ActivationPolicy;
  otp?: { algorithm?: OtpAlgorithm; digits?: number; period?: number };
  random?: RandomSource;
}): OnlineActivationPayload {
  const { random = systemRandom, policy = DEFAULT_POLICY, otp = {} } = options;
  const candidate: OnlineActivationPayload = {
    mode: 'online',
    activationId: encodeBase64Url(randomBytes(random, ACTIVATION_ID_LENGTH)),
    activationSecret: encodeBase64Url(randomBytes(random, ACTIVATION_SECRET_LENGTH)),
    issuer: options.issuer,
    account: options.account,
    origin: options.origin,
    policy: { ...policy },
    otp: { type: 'totp', algorithm: otp.algorithm ?? 'SHA1', digits: otp.digits ?? 6, period: otp.period ?? 30 },
  };
  return parseArgument<OnlineActivationPayload>(onlinePayloadSchema, candidate, 'options');
}
