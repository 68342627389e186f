// `@cloudmfa/push/server`: the server's half of the push protocol (challenge creation and the
// APNs/FCM payloads, the challenge state machine, verification of device responses, polls and
// device requests). A separate entry point so that a phone bundle, which Metro (React Native)
// builds without tree shaking, carries only the device's half (the main entry).
export { type ApnsPayloadResult, type ApnsPushPayload, buildApnsPayload } from './buildApnsPayload.js';
export { buildFcmPayload, type FcmPushMessage } from './buildFcmPayload.js';
export type { BuildPushPayloadOptions, PushAlert, SizedPayload } from './_payload.js';
export { type CreatedPushChallenge, type CreatePushChallengeOptions, createPushChallenge } from './createPushChallenge.js';
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
export type { PushChallengeRecord } from './types.js';
export { peekDeviceRequest, type VerifyDeviceRequestOptions, type VerifyDeviceRequestResult, verifyDeviceRequest } from './verifyDeviceRequest.js';
