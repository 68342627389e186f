/** @module @cloudmfa/storage */
export { type ComposeStoreOptions, composeStore } from './composeStore.js';
export { createMemorySecureStore } from './createMemorySecureStore.js';
export { createMemoryStore } from './createMemoryStore.js';
export type { StorageErrorCode } from './errors.js';
export { STORAGE_LIMITS } from './limits.js';
export { DEFAULT_ORGANISATION_ID } from './organisations.js';
export { type StringKeyValueHost, secureStoreFromStringHost } from './secureStoreFromStringHost.js';
export { DEFAULT_THROTTLE_POLICY, type ThrottlePolicy, throttleDelay } from './throttle.js';
export type {
  AuditEvent,
  AuditEventInput,
  AuditLog,
  AuditPage,
  AuditQuery,
  ChallengeFinalStatus,
  ChallengeRecord,
  ChallengeStatus,
  ChallengeStore,
  ConsumeOptions,
  AttemptResult,
  ConsumeResult,
  CreateChallengeResult,
  CreateChallengeInput,
  CreateEnrolmentInput,
  EnrolmentRecord,
  EnrolmentStatus,
  EnrolmentStore,
  FinalizeResult,
  JsonObject,
  JsonValue,
  MfaStore,
  OrganisationChanges,
  OrganisationPage,
  OrganisationRecord,
  OrganisationScope,
  OrganisationStore,
  CreateOrganisationInput,
  UpdateOrganisationResult,
  OtpGuardState,
  OtpGuardStore,
  PauseUserResult,
  PendingAuditEntry,
  RedeemResult,
  RevokeResult,
  SecureKeyValueStore,
  UpdateEnrolmentResult,
} from './types.js';
export type {
  AuditFollowOptions,
  AuditFollowPage,
  FollowedAuditEvent,
  PutWebhookStateInput,
  PutWebhookStateResult,
  WebhookStateRecord,
  WebhookStateStore,
} from './webhookState.js';
