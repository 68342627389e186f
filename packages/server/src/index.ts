export { createHttpHandler, type HttpHandlerOptions, type HttpLogEntry } from './createHttpHandler.js';
export { createMfaServer } from './createMfaServer.js';
export type { ActivationRefusalCode, HttpErrorCode, ServerErrorCode } from './errors.js';
export { DEFAULT_SERVER_POLICY, type MfaServerPolicy, type MfaServerPolicyInput, resolveServerPolicy } from './policy.js';
export type {
  ActivationMode,
  ChallengeStatusView,
  CompleteActivationResult,
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
  PushChallengeOptions,
  ReissueActivationResult,
  RevokeEnrolmentResult,
  RotateKeysResult,
  StartActivationOptions,
  StartedActivation,
  SubmitPushResponseResult,
  UnlockOtpResult,
  VerifyOtpInput,
  VerifyOtpResult,
} from './types.js';
