/** @module @cloudmfa/activation */
export { DEFAULT_ENVELOPE_LIMITS, ENVELOPE_TEXT_PREFIX } from './constants.js';
export { type CreateRedemptionOptions, createRedemption, type RedemptionState } from './createRedemption.js';
export type { ActivationErrorCode } from './errors.js';
export type { QrErrorCorrection, QrMode } from './internal/qr.js';
export { normalizePassword } from './normalizePassword.js';
export { type OpenedEnvelope, type OpenEnvelopeOptions, openEnvelope } from './openEnvelope.js';
export { openRedemptionResponse, type RedeemedIdentity } from './openRedemptionResponse.js';
export { type ReadEnvelopeHeaderOptions, readEnvelopeHeader } from './readEnvelopeHeader.js';
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
