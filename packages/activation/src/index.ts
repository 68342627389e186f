/** @module @cloudmfa/activation */
export { DEFAULT_ENVELOPE_LIMITS, ENVELOPE_TEXT_PREFIX } from './constants.js';
export { createActivationPayload, DEFAULT_POLICY } from './createActivationPayload.js';
export { type CreateRedemptionOptions, createRedemption, type RedemptionState } from './createRedemption.js';
export { type CreateRedemptionResponseOptions, createRedemptionResponse } from './createRedemptionResponse.js';
export type { ActivationErrorCode } from './errors.js';
export { generatePassword, PASSWORD_ALPHABET } from './generatePassword.js';
export type { QrErrorCorrection, QrMode } from './internal/qr.js';
export { normalizePassword } from './normalizePassword.js';
export { type OpenedEnvelope, type OpenEnvelopeOptions, openEnvelope } from './openEnvelope.js';
export { openRedemptionResponse, type RedeemedIdentity } from './openRedemptionResponse.js';
export { type ReadEnvelopeHeaderOptions, readEnvelopeHeader } from './readEnvelopeHeader.js';
export { type SealedEnvelope, type SealEnvelopeOptions, sealEnvelope } from './sealEnvelope.js';
export type {
  ActivationPayload,
  ActivationPolicy,
  ActivationPreview,
  DevicePlatform,
  EnvelopeHeader,
  EnvelopeLimits,
  HotpParameters,
  KdfParameters,
  KdfSettings,
  OfflineActivationPayload,
  OnlineActivationPayload,
  PushSigningKey,
  RedemptionRequest,
  RedemptionResponse,
  TotpParameters,
} from './types.js';
export {
  type RedemptionFailureReason,
  type RedemptionVerification,
  type VerifiedRedemption,
  type VerifyRedemptionOptions,
  verifyRedemption,
} from './verifyRedemption.js';
