export { PUSH_LIMITS, PUSH_NOTIFICATION, PUSH_TYP } from './constants.js';
export { type CreatePushPollRequestOptions, createPushPollRequest } from './createPushPollRequest.js';
export { type CreatePushResponseOptions, createPushResponse } from './createPushResponse.js';
export type { PushErrorCode } from './errors.js';
export { type PeekPushMessageResult, peekPushMessage } from './peekPushMessage.js';
export { publicKeyThumbprint } from './publicKeyThumbprint.js';
export { type PushPublicJwk, publicKeyToJwk } from './publicKeyToJwk.js';
export type { PushContext, PushDecision, PushPublicKey } from './types.js';
export {
  type PushChallengeFailure,
  type VerifiedPushChallenge,
  type VerifyPushChallengeOptions,
  type VerifyPushChallengeResult,
  verifyPushChallenge,
} from './verifyPushChallenge.js';
export { type CreateDeviceRequestOptions, createDeviceRequest } from './createDeviceRequest.js';
