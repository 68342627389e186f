export { type ApnsPayloadResult, type ApnsPushPayload, buildApnsPayload } from './buildApnsPayload.js';
export { buildFcmPayload, type FcmPushMessage } from './buildFcmPayload.js';
export type { BuildPushPayloadOptions, PushAlert, SizedPayload } from './_payload.js';
export { PUSH_LIMITS, PUSH_TYP } from './constants.js';
export { type CreatedPushChallenge, type CreatePushChallengeOptions, createPushChallenge } from './createPushChallenge.js';
export { type CreatePushPollRequestOptions, createPushPollRequest } from './createPushPollRequest.js';
export { type CreatePushResponseOptions, createPushResponse } from './createPushResponse.js';
export type { PushErrorCode } from './errors.js';
export {
  isFinalChallengeState,
  type NextChallengeStateResult,
  nextChallengeState,
  type NextChallengeStateOptions,
  PUSH_CHALLENGE_STATES,
  PUSH_CHALLENGE_TRANSITIONS,
  type PushAuditKind,
  type PushChallengeEvent,
  type PushChallengeState,
  type PushChallengeTransition,
} from './nextChallengeState.js';
export { type PeekPushMessageResult, peekPushMessage } from './peekPushMessage.js';
export { publicKeyThumbprint } from './publicKeyThumbprint.js';
export { type PushPublicJwk, publicKeyToJwk } from './publicKeyToJwk.js';
export type { PushChallengeRecord, PushContext, PushDecision, PushPublicKey } from './types.js';
export {
  type PushChallengeFailure,
  type VerifiedPushChallenge,
  type VerifyPushChallengeOptions,
  type VerifyPushChallengeResult,
  verifyPushChallenge,
} from './verifyPushChallenge.js';
export {
  type PushPollFailure,
  type VerifyPushPollRequestOptions,
  type VerifyPushPollRequestResult,
  verifyPushPollRequest,
} from './verifyPushPollRequest.js';
export {
  type PushResponseFailure,
  type VerifyPushResponseOptions,
  type VerifyPushResponseResult,
  verifyPushResponse,
} from './verifyPushResponse.js';
export { type CreateDeviceRequestOptions, createDeviceRequest } from './createDeviceRequest.js';
export { peekDeviceRequest, type VerifyDeviceRequestOptions, type VerifyDeviceRequestResult, verifyDeviceRequest } from './verifyDeviceRequest.js';
