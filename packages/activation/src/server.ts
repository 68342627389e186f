// `@cloudmfa/activation/server`: the server's half of activation (the payload and its
// policy, the password, sealing the envelope, verifying a redemption and answering it). A
// separate entry point so that a phone bundle, which Metro (React Native) builds without tree
// shaking, carries only the app's half (the main entry: preview, open, redeem).
export { createActivationPayload, DEFAULT_POLICY } from './createActivationPayload.js';
export { type CreateRedemptionResponseOptions, createRedemptionResponse } from './createRedemptionResponse.js';
export { generatePassword, PASSWORD_ALPHABET } from './generatePassword.js';
export { type SealedEnvelope, type SealEnvelopeOptions, sealEnvelope } from './sealEnvelope.js';
export {
  type RedemptionFailureReason,
  type RedemptionVerification,
  type VerifiedRedemption,
  type VerifyRedemptionOptions,
  verifyRedemption,
} from './verifyRedemption.js';
