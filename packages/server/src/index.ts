export { createHttpHandler, type HttpHandlerOptions, type HttpLogEntry } from './createHttpHandler.js';
export { createMfaServer } from './createMfaServer.js';
export type { ActivationRefusalCode, HttpErrorCode, ServerErrorCode } from './errors.js';
export { DEFAULT_SERVER_POLICY, type MfaServerPolicy, type MfaServerPolicyInput, resolveServerPolicy } from './policy.js';
export type {
  ActivationMode,
  ActivationSettings,
  ChallengeStatusView,
  CompleteActivationOptions,
  CompleteActivationResult,
  CreatePushChallengeOptions,
  CreatePushChallengeResult,
  EnrolmentOtp,
  EnrolmentView,
  KeyEncryptionKeys,
  MfaAuditKind,
  MfaEvent,
  MfaEventSink,
  MfaServer,
  MfaServerKeys,
  MfaServerOptions,
  PollPushChallengesResult,
  PushChallengeSettings,
  ReissueActivationOptions,
  ReissueActivationResult,
  RevokeEnrolmentOptions,
  RevokeEnrolmentResult,
  RotateKeysResult,
  StartActivationOptions,
  StartedActivation,
  SubmitPushResponseResult,
  VerifyOtpInput,
  VerifyOtpResult,
} from './types.js';
