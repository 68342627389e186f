/** @module @cloudmfa/storage/adapter */
// `@cloudmfa/storage/adapter`: what only the author of a storage adapter needs (input
// normalisation and validation, the error helpers, the audit cursor codec, the clock reader),
// apart from the application API at `@cloudmfa/storage`.
export { type AuditCursorPosition, decodeAuditCursor, encodeAuditCursor } from './auditCursor.js';
export { scrubCause, storageError } from './errors.js';
export {
  createdChallenge,
  type NormalizedAuditEvent,
  type NormalizedAuditQuery,
  type NormalizedChallenge,
  type NormalizedEnrolment,
  type NormalizedEnrolmentChanges,
  normalizeAuditEvent,
  normalizeAuditQuery,
  normalizeConsume,
  normalizeCreateChallenge,
  normalizeCreateEnrolment,
  normalizeEnrolmentChanges,
  normalizeFinalize,
  normalizePauseUser,
  normalizePendingAudit,
  normalizeSettle,
  type NormalizedPendingAudit,
} from './normalize.js';
export {
  decodeSeqPosition,
  type NormalizedAuditFollow,
  type NormalizedWebhookPut,
  normalizeAuditFollow,
  normalizeWebhookPut,
} from './normalizeWebhook.js';
export {
  assertOrganisationId,
  normalizeCreateOrganisation,
  normalizeOrganisationChanges,
  normalizeOrganisationList,
  type NormalizedOrganisation,
  organisationFromRow,
  scopeCache,
} from './organisations.js';
export { assertThrottlePolicy, guardExpiry } from './throttle.js';
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
