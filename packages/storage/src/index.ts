export { type AuditCursorPosition, decodeAuditCursor, encodeAuditCursor } from './auditCursor.js';
export { createMemorySecureStore } from './createMemorySecureStore.js';
export { createMemoryStore } from './createMemoryStore.js';
export { scrubCause, type StorageErrorCode, storageError } from './errors.js';
export { STORAGE_LIMITS } from './limits.js';
export {
  type NormalizedAuditEvent,
  type NormalizedAuditQuery,
  type NormalizedChallenge,
  type NormalizedEnrolment,
  type NormalizedEnrolmentChanges,
  normalizeAuditEvent,
  normalizeAuditQuery,
  normalizeCreateChallenge,
  normalizeCreateEnrolment,
  normalizeEnrolmentChanges,
  normalizeFinalize,
  normalizePauseUser,
} from './normalize.js';
export { type StringKeyValueHost, secureStoreFromStringHost } from './secureStoreFromStringHost.js';
export { assertThrottlePolicy, DEFAULT_THROTTLE_POLICY, type ThrottlePolicy, throttleDelay } from './throttle.js';
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
  ConsumeResult,
  CreateChallengeInput,
  CreateChallengeResult,
  CreateEnrolmentInput,
  EnrolmentRecord,
  EnrolmentStatus,
  EnrolmentStore,
  FinalizeResult,
  PauseUserResult,
  JsonObject,
  JsonValue,
  MfaStore,
  OtpGuardState,
  OtpGuardStore,
  RedeemResult,
  RevokeResult,
  SecureKeyValueStore,
  UpdateEnrolmentResult,
} from './types.js';
export {
  assertAuditKind,
  assertClientKey,
  assertClientValue,
  assertDrift,
  assertSecret,
  assertStep,
  assertStorageId,
  assertTime,
  assertUserId,
  parseJsonObject,
  readClock,
  resolveLimit,
  serializeJsonObject,
} from './validate.js';
