import { type AuditCursorPosition, decodeAuditCursor } from './auditCursor.js';
import { storageError } from './errors.js';
import { STORAGE_LIMITS } from './limits.js';
import type { ChallengeFinalStatus, ChallengeRecord, ConsumeOptions, JsonObject } from './types.js';
import {
  assertAuditKind,
  assertDrift,
  assertSecret,
  assertStep,
  assertStorageId,
  assertTime,
  assertUserId,
  resolveLimit,
  serializeJsonObject,
} from './validate.js';

// Input normalizers for adapter authors: each validates one operation's arguments exactly as
// the memory adapter does and returns what to write (JSON already serialized, bytes copied).
// Call them before any I/O.

const invalid = (m: string) => storageError('ERR_STORAGE_INVALID', m);
const FINAL: readonly string[] = ['approved', 'denied', 'cancelled'];

/**
 * Validated input of `enrolments.create`.
 *
 * @example
 * ```ts
 * const e: NormalizedEnrolment = normalizeCreateEnrolment(input, now); // e.meta is JSON text
 * ```
 */
export interface NormalizedEnrolment {
  id: string;
  userId: string;
  secret: Uint8Array;
  meta: string;
  expiresAt: number;
}

/**
 * Validates `enrolments.create` input against `now` (`expiresAt` must be later).
 *
 * @example
 * ```ts
 * const e = normalizeCreateEnrolment(input, readClock(clock));
 * insert.run(e.id, e.userId, e.secret, e.meta, now, e.expiresAt);
 * ```
 */
export function normalizeCreateEnrolment(input: unknown, now: number): NormalizedEnrolment {
  if (typeof input !== 'object' || input === null) throw invalid('"input" expected an object');
  const i = input as Record<string, unknown>;
  assertStorageId(i.id, 'id');
  assertUserId(i.userId, 'userId');
  assertSecret(i.secret, 'secret');
  const meta = serializeJsonObject(i.meta === undefined ? {} : i.meta, 'meta', STORAGE_LIMITS.metaBytes);
  assertTime(i.expiresAt, 'expiresAt');
  if (i.expiresAt <= now) throw invalid('"expiresAt" must be later than now');
  return { id: i.id, userId: i.userId, secret: i.secret.slice(), meta, expiresAt: i.expiresAt };
}

/**
 * Validated changes of `enrolments.redeem` / `enrolments.update`.
 *
 * @example
 * ```ts
 * const c: NormalizedEnrolmentChanges = normalizeEnrolmentChanges({ meta: { pushToken } }, { allowVersion: true });
 * ```
 */
export interface NormalizedEnrolmentChanges {
  secret?: Uint8Array;
  meta?: string;
  expectedVersion?: number;
}

/**
 * Validates the `changes` of `redeem` (no `expectedVersion`) or `update`.
 *
 * @example
 * ```ts
 * const c = normalizeEnrolmentChanges(changes, { allowVersion: true });
 * ```
 */
export function normalizeEnrolmentChanges(changes: unknown, options: { allowVersion: boolean }): NormalizedEnrolmentChanges {
  if (changes === undefined) {
    if (options.allowVersion) throw invalid('"changes" expected an object');
    return {};
  }
  if (typeof changes !== 'object' || changes === null) throw invalid('"changes" expected an object');
  const c = changes as Record<string, unknown>;
  const out: NormalizedEnrolmentChanges = {};
  if (c.secret !== undefined) {
    assertSecret(c.secret, 'secret');
    out.secret = c.secret.slice();
  }
  if (c.meta !== undefined) out.meta = serializeJsonObject(c.meta, 'meta', STORAGE_LIMITS.metaBytes);
  if (options.allowVersion && c.expectedVersion !== undefined) {
    const v = c.expectedVersion;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw invalid('"expectedVersion" expected a positive integer');
    out.expectedVersion = v;
  }
  return out;
}

/**
 * Validated input of `challenges.create`.
 *
 * @example
 * ```ts
 * const c: NormalizedChallenge = normalizeCreateChallenge(input, now);
 * ```
 */
export interface NormalizedChallenge {
  id: string;
  enrolmentId: string;
  userId: string;
  expiresAt: number;
  meta: string;
  /** `null`: no cap. */
  maxPending: number | null;
}

/**
 * Validates `challenges.create` input against `now` (`expiresAt` must be later).
 *
 * @example
 * ```ts
 * const c = normalizeCreateChallenge(input, now);
 * ```
 */
export function normalizeCreateChallenge(input: unknown, now: number): NormalizedChallenge {
  if (typeof input !== 'object' || input === null) throw invalid('"input" expected an object');
  const i = input as Record<string, unknown>;
  assertStorageId(i.id, 'id');
  assertStorageId(i.enrolmentId, 'enrolmentId');
  assertUserId(i.userId, 'userId');
  assertTime(i.expiresAt, 'expiresAt');
  const meta = serializeJsonObject(i.meta === undefined ? {} : i.meta, 'meta', STORAGE_LIMITS.metaBytes);
  if (i.expiresAt <= now) throw invalid('"expiresAt" must be later than now');
  const max = i.maxPendingPerUser;
  if (max !== undefined && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1 || max > 100_000)) {
    throw invalid('"maxPendingPerUser" expected an integer in [1, 100000]');
  }
  return { id: i.id, enrolmentId: i.enrolmentId, userId: i.userId, expiresAt: i.expiresAt, meta, maxPending: max ?? null };
}

/**
 * The record `challenges.create` answers for a challenge it just stored from `c` at `now`
 * (pending, not finalised), for an adapter whose write does not read the row back.
 */
export function createdChallenge(c: NormalizedChallenge, now: number): ChallengeRecord {
  return {
    id: c.id,
    enrolmentId: c.enrolmentId,
    userId: c.userId,
    status: 'pending',
    createdAt: now,
    expiresAt: c.expiresAt,
    finalizedAt: null,
    meta: JSON.parse(c.meta) as JsonObject,
    outcome: null,
  };
}

/**
 * Validates the arguments of `challenges.pauseUser`.
 *
 * @example
 * ```ts
 * const p = normalizePauseUser(userId, options);
 * ```
 */
export function normalizePauseUser(userId: unknown, options: unknown): { userId: string; until: number; outcome: string } {
  assertUserId(userId, 'userId');
  if (typeof options !== 'object' || options === null) throw invalid('"options" expected { until, outcome? }');
  const o = options as Record<string, unknown>;
  assertTime(o.until, 'until');
  const outcome = serializeJsonObject(o.outcome === undefined ? { reason: 'paused' } : o.outcome, 'outcome', STORAGE_LIMITS.metaBytes);
  return { userId, until: o.until, outcome };
}

/**
 * Validates the transition of `challenges.finalize`.
 *
 * @example
 * ```ts
 * const { status, outcome } = normalizeFinalize(transition);
 * ```
 */
export function normalizeFinalize(transition: unknown): { status: ChallengeFinalStatus; outcome: string | null } {
  if (typeof transition !== 'object' || transition === null) throw invalid('"transition" expected an object');
  const t = transition as Record<string, unknown>;
  if (typeof t.status !== 'string' || !FINAL.includes(t.status)) throw invalid('"status" expected approved, denied or cancelled');
  const outcome = t.outcome === undefined ? null : serializeJsonObject(t.outcome, 'outcome', STORAGE_LIMITS.outcomeBytes);
  return { status: t.status as ChallengeFinalStatus, outcome };
}

/**
 * Validated input of `audit.append`.
 *
 * @example
 * ```ts
 * const e: NormalizedAuditEvent = normalizeAuditEvent({ kind: 'otp.accepted' }); // e.detail === '{}'
 * ```
 */
export interface NormalizedAuditEvent {
  /** The idempotency key, or `null`. */
  key: string | null;
  kind: string;
  enrolmentId: string | null;
  userId: string | null;
  detail: string;
}

/**
 * Validates `audit.append` input.
 *
 * @example
 * ```ts
 * const e = normalizeAuditEvent(event);
 * ```
 */
export function normalizeAuditEvent(event: unknown): NormalizedAuditEvent {
  if (typeof event !== 'object' || event === null) throw invalid('"event" expected an object');
  const e = event as Record<string, unknown>;
  assertAuditKind(e.kind, 'kind');
  const enrolmentId = e.enrolmentId ?? null;
  if (enrolmentId !== null) assertStorageId(enrolmentId, 'enrolmentId');
  const userId = e.userId ?? null;
  if (userId !== null) assertUserId(userId, 'userId');
  const detail = serializeJsonObject(e.detail === undefined ? {} : e.detail, 'detail', STORAGE_LIMITS.detailBytes);
  const key = e.key ?? null;
  if (key !== null) assertStorageId(key, 'key');
  return { key: key as string | null, kind: e.kind, enrolmentId: enrolmentId as string | null, userId: userId as string | null, detail };
}

/**
 * A validated `consume` outbox entry (`options.audit`): an audit event whose `key` is required.
 *
 * @example
 * ```ts
 * const a: NormalizedPendingAudit = normalizePendingAudit({ key, kind: 'otp.accepted' }, enrolmentId); // a.detail === '{}'
 * ```
 */
export interface NormalizedPendingAudit extends NormalizedAuditEvent {
  key: string;
}

/**
 * Validates the `audit` option of `guard.consume`.
 *
 * @example
 * ```ts
 * const a = options?.audit === undefined ? null : normalizePendingAudit(options.audit, enrolmentId);
 * ```
 */
export function normalizePendingAudit(audit: unknown, enrolmentId: string): NormalizedPendingAudit & { enrolmentId: string } {
  const e = normalizeAuditEvent(audit);
  if (e.key === null) throw invalid('"audit.key" expected a storage id');
  // The entry sits with the guard that accepted the step (Redis: in its slot), found by both.
  if (e.enrolmentId !== enrolmentId) throw invalid('"audit.enrolmentId" expected the enrolment whose step is consumed');
  return e as NormalizedPendingAudit & { enrolmentId: string };
}

/**
 * Validates the arguments of `guard.consume` (the enrolment id, the step and every option), so an
 * adapter checks them all before it touches its store.
 *
 * @example
 * ```ts
 * const { drift, unlock, audit } = normalizeConsume(enrolmentId, step, options); // drift, unlock: undefined when not given
 * ```
 */
export function normalizeConsume(
  enrolmentId: string,
  step: number,
  options: ConsumeOptions | undefined,
): { drift: number | undefined; unlock: number | undefined; audit: (NormalizedPendingAudit & { enrolmentId: string }) | null } {
  assertStorageId(enrolmentId, 'enrolmentId');
  assertStep(step, 'step');
  const drift = options?.drift;
  if (drift !== undefined) assertDrift(drift, 'drift');
  const unlock = options?.unlockThrough;
  if (unlock !== undefined) assertTime(unlock, 'unlockThrough');
  return { drift, unlock, audit: options?.audit === undefined ? null : normalizePendingAudit(options.audit, enrolmentId) };
}

/**
 * Validates the argument of `guard.settleAudit`.
 *
 * @example
 * ```ts
 * const { key, enrolmentId } = normalizeSettle(entry);
 * ```
 */
export function normalizeSettle(entry: unknown): { key: string; enrolmentId: string } {
  if (typeof entry !== 'object' || entry === null) throw invalid('"entry" expected { key, enrolmentId }');
  const e = entry as Record<string, unknown>;
  assertStorageId(e.key, 'key');
  assertStorageId(e.enrolmentId, 'enrolmentId');
  return { key: e.key, enrolmentId: e.enrolmentId };
}

/**
 * Validated `audit.query`; `after` is the decoded cursor (with the shared `<at>.<seq>` format).
 *
 * @example
 * ```ts
 * const q: NormalizedAuditQuery = normalizeAuditQuery({ enrolmentId, cursor }); // q.after: { at, seq } | null
 * ```
 */
export interface NormalizedAuditQuery {
  enrolmentId?: string;
  userId?: string;
  from?: number;
  to?: number;
  limit: number;
  after: AuditCursorPosition | null;
}

/**
 * Validates `audit.query` input and decodes its cursor with {@link decodeAuditCursor}.
 *
 * @example
 * ```ts
 * const q = normalizeAuditQuery(query);
 * ```
 */
export function normalizeAuditQuery(query: unknown): NormalizedAuditQuery {
  if (query === undefined) return { limit: STORAGE_LIMITS.defaultLimit, after: null };
  if (typeof query !== 'object' || query === null) throw invalid('"query" expected an object');
  const q = query as Record<string, unknown>;
  const out: NormalizedAuditQuery = { limit: resolveLimit(q.limit, 'limit'), after: null };
  if (q.enrolmentId !== undefined) {
    assertStorageId(q.enrolmentId, 'enrolmentId');
    out.enrolmentId = q.enrolmentId;
  }
  if (q.userId !== undefined) {
    assertUserId(q.userId, 'userId');
    out.userId = q.userId;
  }
  if (q.from !== undefined) {
    assertTime(q.from, 'from');
    out.from = q.from;
  }
  if (q.to !== undefined) {
    assertTime(q.to, 'to');
    out.to = q.to;
  }
  if (q.cursor !== undefined) out.after = decodeAuditCursor(q.cursor);
  return out;
}
