/** @module @cloudmfa/server */
export { createAdminHandler, type AdminAuthorization, type AdminHandlerOptions, type AdminHooks } from './createAdminHandler.js';
export { createHttpHandler, type HttpHandlerOptions, type HttpLogEntry } from './createHttpHandler.js';
export { createOpenApiDocument, type OpenApiDocumentOptions } from './createOpenApiDocument.js';
export type { ResolvedOrganisation } from './http/dispatch.js';
export { createKeyRing } from './createKeyRing.js';
export { createMfaServer } from './createMfaServer.js';
export type { ActivationRefusalCode, HttpErrorCode, ServerErrorCode } from './errors.js';
export { DEFAULT_SERVER_POLICY, type MfaServerPolicy, type MfaServerPolicyInput, resolveServerPolicy } from './policy.js';
export type { MfaOperationName, MfaStorePart, MfaTelemetry } from './telemetry.js';
export type {
  ActivationMode,
  ActivationSettings,
  ChallengeStatusView,
  CompleteActivationOptions,
  CompleteActivationResult,
  CreateOrganisationOptions,
  CreatePushChallengeResult,
  DataKeyCacheOptions,
  DeviceRequestResult,
  DrainAuditOutboxResult,
  EnrolmentOtp,
  EnrolmentView,
  KekProvider,
  KeyStatus,
  KeyEncryptionKeys,
  MfaAuditKind,
  MfaEvent,
  MfaEventSink,
  MfaOrganisationServer,
  MfaServer,
  MfaServerKeys,
  MfaServerOptions,
  OrganisationList,
  OrganisationView,
  PollPushChallengesResult,
  PushChallengeSettings,
  ReissueActivationOptions,
  ReissueActivationResult,
  RevokeEnrolmentOptions,
  RevokeEnrolmentResult,
  RotateAllKeysOptions,
  RotateAllKeysProgress,
  RotateAllKeysResult,
  RotateKeysResult,
  ServerPushChallengeOptions,
  StartActivationOptions,
  StartedActivation,
  SubmitPushResponseResult,
  UnlockOtpResult,
  UpdateOrganisationOptions,
  VerifyOtpInput,
  VerifyOtpResult,
} from './types.js';
export { type VerifyWebhookOptions, type VerifyWebhookResult, verifyWebhook } from './verifyWebhook.js';
export type {
  DeliverWebhooksResult,
  WebhookEndpoint,
  WebhookEndpointStatus,
  WebhookErrorReason,
  WebhookFailure,
  WebhookOptions,
  WebhookPayload,
} from './webhooks/types.js';
