import type { ThrottlePolicy } from './throttle.js';
import type { AuditFollowOptions, AuditFollowPage, WebhookStateStore } from './webhookState.js';

/**
 * A JSON value as the stores keep it: finite numbers, well-formed strings without U+0000.
 *
 * @example
 * ```ts
 * const v: JsonValue = { list: [1, 'two', null], ok: true };
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/**
 * A JSON object (the shape of every `meta`, `outcome` and `detail`).
 *
 * @example
 * ```ts
 * const meta: JsonObject = { label: 'Alice @ ACME', mode: 'online' };
 * ```
 */
export type JsonObject = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------
// Enrolments

/**
 * Enrolment lifecycle: `pending -> active -> revoked`, or `pending -> revoked`.
 *
 * @example
 * ```ts
 * if (enrolment.status !== 'active') return { ok: false, reason: 'not_active' };
 * ```
 */
export type EnrolmentStatus = 'pending' | 'active' | 'revoked';

/**
 * One enrolment as stored. `secret` is opaque (the server encrypts it) and empty once revoked.
 *
 * @example
 * ```ts
 * const e: EnrolmentRecord | null = await store.enrolments.get(id);
 * if (e?.status === 'active') seed = await unseal(e.secret);
 * ```
 */
export interface EnrolmentRecord {
  id: string;
  userId: string;
  status: EnrolmentStatus;
  secret: Uint8Array;
  meta: JsonObject;
  /** ms, store clock. */
  createdAt: number;
  /** ms; bounds the `pending` state only. */
  expiresAt: number;
  activatedAt: number | null;
  revokedAt: number | null;
  /** 1 on create, +1 on every change; for {@link EnrolmentStore.update} compare-and-set. */
  version: number;
}

/**
 * Input of {@link EnrolmentStore.create}.
 *
 * @example
 * ```ts
 * const input: CreateEnrolmentInput = { id, userId: 'alice', secret: sealed, expiresAt: now + 300_000 };
 * ```
 */
export interface CreateEnrolmentInput {
  id: string;
  userId: string;
  secret: Uint8Array;
  meta?: JsonObject;
  /** ms; must be later than the store's `now`. */
  expiresAt: number;
}

/**
 * Result of {@link EnrolmentStore.redeem}. Failures other than `not_found` carry the record (secret emptied).
 *
 * @example
 * ```ts
 * const r: RedeemResult = await store.enrolments.redeem(id);
 * if (!r.ok && r.reason === 'already_active') raiseSecurityEvent(r.enrolment.userId);
 * ```
 */
export type RedeemResult =
  | { ok: true; enrolment: EnrolmentRecord }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'already_active' | 'revoked' | 'expired'; enrolment: EnrolmentRecord };

/**
 * Result of {@link EnrolmentStore.update}.
 *
 * @example
 * ```ts
 * const r: UpdateEnrolmentResult = await store.enrolments.update(id, { secret: resealed, expectedVersion: e.version });
 * if (!r.ok && r.reason === 'version_mismatch') retry();
 * ```
 */
export type UpdateEnrolmentResult =
  | { ok: true; enrolment: EnrolmentRecord }
  | { ok: false; reason: 'not_found' | 'revoked' | 'version_mismatch' };

/**
 * Result of {@link EnrolmentStore.revoke}.
 *
 * @example
 * ```ts
 * const r: RevokeResult = await store.enrolments.revoke(id);
 * if (!r.ok) console.log(r.reason); // 'not_found' | 'already_revoked'
 * ```
 */
export type RevokeResult = { ok: true; enrolment: EnrolmentRecord } | { ok: false; reason: 'not_found' | 'already_revoked' };

/**
 * Enrolments: pending (with expiry) -> active (redeemed exactly once) -> revoked.
 *
 * @example
 * ```ts
 * await store.enrolments.create({ id, userId: 'alice', secret: sealedSeed, expiresAt: now + 300_000 });
 * const r = await store.enrolments.redeem(id, { meta: { devicePublicKey } });
 * if (!r.ok && r.reason === 'already_active') audit('double redemption');
 * ```
 */
export interface EnrolmentStore {
  /** Inserts a pending enrolment. Duplicate id: `ERR_STORAGE_CONFLICT`. */
  create(input: CreateEnrolmentInput): Promise<EnrolmentRecord>;
  /** The record, or `null`. */
  get(id: string): Promise<EnrolmentRecord | null>;
  /** A user's enrolments, oldest first (`createdAt`, then `id`). */
  listByUser(userId: string, options?: { limit?: number }): Promise<EnrolmentRecord[]>;
  /** Atomic "activate if pending and not expired"; replaces `secret`/`meta` when given. */
  redeem(id: string, changes?: { secret?: Uint8Array; meta?: JsonObject }): Promise<RedeemResult>;
  /** Replaces `secret`/`meta` of a pending or active enrolment; atomic compare-and-set with `expectedVersion`. */
  update(id: string, changes: { secret?: Uint8Array; meta?: JsonObject; expectedVersion?: number }): Promise<UpdateEnrolmentResult>;
  /** Atomic pending/active -> revoked; wipes the secret. */
  revoke(id: string): Promise<RevokeResult>;
}

// ---------------------------------------------------------------------------------------------
// OTP guard

/**
 * Replay and throttling state of one enrolment's OTP.
 *
 * @example
 * ```ts
 * const g: OtpGuardState | null = await store.guard.get(id);
 * const afterStep = g?.lastStep ?? undefined; // never re-accept a step <= lastStep
 * ```
 */
export interface OtpGuardState {
  enrolmentId: string;
  /** Last accepted time step or HOTP counter. */
  lastStep: number | null;
  /** Consecutive failures since the last success or reset. */
  failures: number;
  /** ms; codes are refused while `now < lockedUntil`. */
  lockedUntil: number | null;
  /** Steps, as last observed on an accepted code. */
  drift: number | null;
  /** ms of the last acceptance. */
  lastUsedAt: number | null;
}

/**
 * Result of {@link OtpGuardStore.consume}.
 *
 * @example
 * ```ts
 * const r: ConsumeResult = await store.guard.consume(id, step);
 * if (!r.ok && r.reason === 'locked') retryAfter(r.lockedUntil - now);
 * ```
 */
export type ConsumeResult =
  | {
      ok: true;
      state: OtpGuardState;
      /**
       * Present when the store appended the `audit` entry straight to the caller's audit log in
       * the same atomic step (see {@link ConsumeOptions.auditLog}): the stored event, and no
       * outbox entry to move.
       */
      logged?: AuditEvent;
    }
  | { ok: false; reason: 'replayed'; lastStep: number }
  | { ok: false; reason: 'locked'; lockedUntil: number; failures: number };

/**
 * An audit entry that {@link OtpGuardStore.consume} recorded atomically with an accepted step:
 * the outbox of docs/storage.md section 5.3. It stays until {@link OtpGuardStore.settleAudit}
 * removes it, after the entry reached the audit log under the same `key`.
 *
 * @example
 * ```ts
 * for (const e of await store.guard.listPendingAudit({ limit: 100 })) {
 *   await store.audit.append(e); // idempotent by `key`
 *   await store.guard.settleAudit(e);
 * }
 * ```
 */
export interface PendingAuditEntry {
  /** Chosen by the caller, unique (a storage id); the audit log's idempotency key. */
  key: string;
  kind: string;
  /** The enrolment whose step was consumed (the guard that holds the entry). */
  enrolmentId: string;
  userId: string | null;
  detail: JsonObject;
  /** ms, store clock: when the consume that recorded it was accepted. */
  at: number;
}

/**
 * Options of {@link OtpGuardStore.consume}.
 *
 * @example
 * ```ts
 * const options: ConsumeOptions = { drift: -1, audit: { key, kind: 'otp.accepted', enrolmentId, userId, detail: { step } } };
 * ```
 */
export interface ConsumeOptions {
  /** Steps of clock drift observed on the accepted code; kept when absent. */
  drift?: number;
  /** ms: a lock ending at or before it does not refuse the step (see {@link OtpGuardStore.consume}). */
  unlockThrough?: number;
  /**
   * Recorded in the outbox (see {@link PendingAuditEntry}) in the same atomic step as the
   * acceptance, and only when the step is accepted. A refused step records nothing. Its
   * `enrolmentId` must be the consumed one.
   */
  audit?: AuditEventInput & { key: string };
  /**
   * The audit log the caller moves outbox entries into. When it is this store's own log (the
   * very object the same store, for the same organisation, hands out as `audit`), the store may
   * append `audit` to it in the same atomic step instead of keeping an outbox entry, and answers
   * with `logged` (docs/storage.md section 5). Decided by object identity: any other log, or a
   * wrapper around this one, keeps the outbox.
   */
  auditLog?: AuditLog;
}

/**
 * What {@link OtpGuardStore.attempt} answers: counted (the state after the count), or refused
 * by a lock and not counted.
 *
 * @example
 * ```ts
 * const a: AttemptResult = await store.guard.attempt(id, DEFAULT_THROTTLE_POLICY);
 * if (!a.ok) retryAfter(a.lockedUntil - now);
 * ```
 */
export type AttemptResult = { ok: true; state: OtpGuardState } | { ok: false; reason: 'locked'; lockedUntil: number; failures: number };

/**
 * The OTP guard: atomic verify-and-consume, failure counters with backoff and lockout, drift.
 *
 * @example
 * ```ts
 * // after the code matched time step `step`:
 * const r = await store.guard.consume(enrolmentId, step, { drift: delta });
 * if (!r.ok) return r.reason === 'replayed' ? { ok: false, reason: 'replayed' } : { ok: false, reason: 'locked' };
 * // after a wrong code:
 * const s = await store.guard.recordFailure(enrolmentId, DEFAULT_THROTTLE_POLICY);
 * ```
 */
export interface OtpGuardStore {
  /** The state, or `null` when the guard was never touched. */
  get(enrolmentId: string): Promise<OtpGuardState | null>;
  /**
   * Atomically accepts `step` iff not locked and `step > lastStep`; resets failures and the
   * lock. Of many concurrent calls with the same step, on any number of servers, exactly one
   * succeeds. `unlockThrough` (ms): a lock ending at or before it does not refuse the step (the
   * caller's own count of this very attempt set it); it is lifted only together with the
   * acceptance of a new step, in the same atomic operation, so a replayed step never lowers
   * `failures` nor lifts a lock.
   */
  consume(enrolmentId: string, step: number, options?: ConsumeOptions): Promise<ConsumeResult>;
  /**
   * Atomically counts a failure and extends the lock per `policy` (see `throttleDelay`). With
   * `policy.forgetAfterMs`, a guard that never accepted a step is forgotten that long after its
   * last failure or the end of its lock, whichever is later: it then reads as never touched,
   * and the store removes it (docs/storage.md section 5.2).
   */
  recordFailure(enrolmentId: string, policy: ThrottlePolicy): Promise<OtpGuardState>;
  /**
   * The start of one OTP attempt, atomically: when `now < lockedUntil`, refuses with
   * `locked` and writes nothing; otherwise counts the failure exactly as
   * {@link OtpGuardStore.recordFailure} does and answers the state after the count
   * (docs/storage.md section 5).
   */
  attempt(enrolmentId: string, policy: ThrottlePolicy): Promise<AttemptResult>;
  /** Clears failures and the lock; keeps `lastStep` and `drift`. */
  reset(enrolmentId: string): Promise<void>;
  /** Outbox entries not yet settled, oldest first (`at`, then `key`); default limit 100. */
  listPendingAudit(options?: { limit?: number }): Promise<PendingAuditEntry[]>;
  /** Removes the outbox entry `key` of `enrolmentId`; an entry that is not there is not an error. */
  settleAudit(entry: { key: string; enrolmentId: string }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Push challenges

/**
 * Push challenge states: `pending -> approved | denied | cancelled | expired`.
 *
 * @example
 * ```ts
 * const done = (s: ChallengeStatus) => s !== 'pending';
 * ```
 */
export type ChallengeStatus = 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';
/**
 * The states {@link ChallengeStore.finalize} can move a challenge to (expiry happens by time).
 *
 * @example
 * ```ts
 * const status: ChallengeFinalStatus = decision === 'confirm' ? 'approved' : 'denied';
 * ```
 */
export type ChallengeFinalStatus = 'approved' | 'denied' | 'cancelled';

/**
 * One push challenge. A pending challenge read at or after `expiresAt` reads `expired`.
 *
 * @example
 * ```ts
 * const c: ChallengeRecord | null = await store.challenges.get(id);
 * if (c?.status === 'approved') letTheUserIn();
 * ```
 */
export interface ChallengeRecord {
  id: string;
  enrolmentId: string;
  userId: string;
  status: ChallengeStatus;
  createdAt: number;
  expiresAt: number;
  /** ms of the final transition; `expiresAt` for an expired one. */
  finalizedAt: number | null;
  meta: JsonObject;
  outcome: JsonObject | null;
}

/**
 * Input of {@link ChallengeStore.create}.
 *
 * @example
 * ```ts
 * const input: CreateChallengeInput = { id, enrolmentId, userId: 'alice', expiresAt: now + 120_000, meta: { jws } };
 * ```
 */
export interface CreateChallengeInput {
  id: string;
  enrolmentId: string;
  userId: string;
  /** ms; must be later than the store's `now`. */
  expiresAt: number;
  meta?: JsonObject;
  /**
   * Refuse (`too_many_pending`) when the user already has this many pending, unexpired
   * challenges (all enrolments), counted in the same atomic step as the insert. Absent: no cap.
   */
  maxPendingPerUser?: number;
}

/**
 * Result of {@link ChallengeStore.create}: refused while the user's pushes are paused (see
 * {@link ChallengeStore.pauseUser}) or at the pending cap, decided atomically with the insert.
 *
 * @example
 * ```ts
 * const r: CreateChallengeResult = await store.challenges.create({ id, enrolmentId, userId, expiresAt, maxPendingPerUser: 3 });
 * if (!r.ok && r.reason === 'paused') retryAfter(r.pausedUntil - now);
 * ```
 */
export type CreateChallengeResult =
  | { ok: true; challenge: ChallengeRecord }
  | { ok: false; reason: 'paused'; pausedUntil: number }
  | { ok: false; reason: 'too_many_pending'; pending: number };

/**
 * Result of {@link ChallengeStore.pauseUser}.
 *
 * @example
 * ```ts
 * const r: PauseUserResult = await store.challenges.pauseUser('alice', { until: now + 900_000 });
 * console.log(r.pausedUntil, r.cancelled);
 * ```
 */
export interface PauseUserResult {
  /** ms; the later of the existing pause and `until`. */
  pausedUntil: number;
  /** How many pending challenges of the user this call cancelled. */
  cancelled: number;
}

/**
 * Result of {@link ChallengeStore.finalize}.
 *
 * @example
 * ```ts
 * const r: FinalizeResult = await store.challenges.finalize(id, { status: 'approved' });
 * if (!r.ok && r.reason === 'already_final') console.log('already', r.status);
 * ```
 */
export type FinalizeResult =
  | { ok: true; challenge: ChallengeRecord }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'expired'; challenge: ChallengeRecord }
  | { ok: false; reason: 'already_final'; status: ChallengeFinalStatus | 'expired'; challenge: ChallengeRecord };

/**
 * Push challenges with an atomic, single-use transition out of `pending`.
 *
 * @example
 * ```ts
 * await store.challenges.create({ id, enrolmentId, userId, expiresAt: now + 120_000, meta: { jws } });
 * const r = await store.challenges.finalize(id, { status: 'approved', outcome: { userVerified: true } });
 * if (!r.ok) return r.reason; // 'expired' | 'already_final' | 'not_found'
 * ```
 */
export interface ChallengeStore {
  /**
   * Inserts a pending challenge unless the user's pushes are paused or the user is at
   * `maxPendingPerUser`, atomically with {@link ChallengeStore.pauseUser}: a challenge created
   * concurrently with a pause is either cancelled by it or refused. Duplicate id: `ERR_STORAGE_CONFLICT`.
   */
  create(input: CreateChallengeInput): Promise<CreateChallengeResult>;
  /** The record (expired when past `expiresAt` and still pending), or `null`. */
  get(id: string): Promise<ChallengeRecord | null>;
  /** Atomic pending -> final, only while `now < expiresAt`. Exactly one concurrent call wins. */
  finalize(id: string, transition: { status: ChallengeFinalStatus; outcome?: JsonObject }): Promise<FinalizeResult>;
  /** Pending, unexpired challenges of an enrolment, newest first (for the device poll). */
  listPending(enrolmentId: string, options?: { limit?: number }): Promise<ChallengeRecord[]>;
  /**
   * Pauses the user's pushes until the later of the current pause and `until`, and cancels
   * EVERY pending challenge of the user (all enrolments, no limit) with `outcome`, as one
   * atomic step with respect to `create`.
   */
  pauseUser(userId: string, options: { until: number; outcome?: JsonObject }): Promise<PauseUserResult>;
  /** The end of the user's push pause (ms), or `null` when not paused at the store's `now`. */
  getPause(userId: string): Promise<number | null>;
  /** Lifts the user's push pause. */
  resumeUser(userId: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Audit log

/**
 * One audit event. `detail` is small and never holds secrets.
 *
 * @example
 * ```ts
 * for (const e of (await store.audit.query({ enrolmentId })).events) console.log(new Date(e.at), e.kind, e.detail);
 * ```
 */
export interface AuditEvent {
  /** Assigned by the store; unique. */
  id: string;
  /** ms, store clock. */
  at: number;
  kind: string;
  enrolmentId: string | null;
  userId: string | null;
  detail: JsonObject;
}

/**
 * Input of {@link AuditLog.append}.
 *
 * @example
 * ```ts
 * const input: AuditEventInput = { kind: 'push.suspicious', enrolmentId, userId, detail: { ip: '203.0.113.7' } };
 * ```
 */
export interface AuditEventInput {
  /**
   * Idempotency key (a storage id, unique): an append whose key the log already holds writes
   * nothing and returns the stored event. Used to move outbox entries exactly once.
   */
  key?: string;
  kind: string;
  enrolmentId?: string | null;
  userId?: string | null;
  detail?: JsonObject;
}

/**
 * Query of {@link AuditLog.query}: every given filter applies; `from <= at < to`.
 *
 * @example
 * ```ts
 * const q: AuditQuery = { userId: 'alice', from: Date.UTC(2026, 0, 1), limit: 50 };
 * ```
 */
export interface AuditQuery {
  enrolmentId?: string;
  userId?: string;
  from?: number;
  to?: number;
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

/**
 * One page of {@link AuditLog.query}; `cursor` is `null` on the last page.
 *
 * @example
 * ```ts
 * const page: AuditPage = await store.audit.query({ limit: 20 });
 * if (page.cursor) next = await store.audit.query({ limit: 20, cursor: page.cursor });
 * ```
 */
export interface AuditPage {
  events: AuditEvent[];
  cursor: string | null;
}

/**
 * The append-only audit log, newest first with a cursor.
 *
 * @example
 * ```ts
 * await store.audit.append({ kind: 'otp.accepted', enrolmentId, userId, detail: { delta: 0 } });
 * let page = await store.audit.query({ enrolmentId, limit: 50 });
 * while (page.cursor) page = await store.audit.query({ enrolmentId, limit: 50, cursor: page.cursor });
 * ```
 */
export interface AuditLog {
  /** Appends one event at the store clock's `now`; with a `key` already in the log, returns that event instead. */
  append(event: AuditEventInput): Promise<AuditEvent>;
  /** Matching events, newest first (`at` desc, then insertion order desc), paginated. */
  query(query?: AuditQuery): Promise<AuditPage>;
  /**
   * Events after the position `after`, **in log order**, oldest first (docs/storage.md 7.1).
   * The order is final: an event appended later never comes before one already returned, so a
   * reader that keeps the last `position` misses nothing. Every adapter of this repository has
   * it; the webhook dispatcher needs it.
   */
  follow?(options: AuditFollowOptions): Promise<AuditFollowPage>;
}

// ---------------------------------------------------------------------------------------------
// The server-side set and the client store

// ---------------------------------------------------------------------------------------------
// Organisations (docs/storage.md, "Organisations")

/**
 * One organisation (tenant) as stored: its display name, origin and policy. No secret: an
 * organisation's keys are the caller's (docs/server.md, "Organisations").
 *
 * @example
 * ```ts
 * const o: OrganisationRecord | null = await store.organisations.get('acme');
 * console.log(o?.issuer, o?.policy);
 * ```
 */
export interface OrganisationRecord {
  /** 1..63 of `[a-z0-9-]`, starting and ending with a letter or digit (a DNS label). */
  id: string;
  /** The issuer name users see (the facade validates it). */
  issuer: string;
  /** The public origin of this organisation's device routes, or `null`. */
  origin: string | null;
  /** The organisation's policy input (the facade resolves and validates it). */
  policy: JsonObject;
  /** ms, store clock. */
  createdAt: number;
  /** ms, store clock, of the last change. */
  updatedAt: number;
  /** 1 on create, +1 on every change; for {@link OrganisationStore.update} compare-and-set. */
  version: number;
}

/**
 * Input of {@link OrganisationStore.create}.
 *
 * @example
 * ```ts
 * const input: CreateOrganisationInput = { id: 'acme', issuer: 'ACME Corp', policy: { otp: { digits: 8 } } };
 * ```
 */
export interface CreateOrganisationInput {
  id: string;
  issuer: string;
  origin?: string | null;
  policy?: JsonObject;
}

/**
 * Changes of {@link OrganisationStore.update}: each given field replaces the stored one.
 *
 * @example
 * ```ts
 * const changes: OrganisationChanges = { policy: { push: { numberMatch: true } }, expectedVersion: 3 };
 * ```
 */
export interface OrganisationChanges {
  issuer?: string;
  origin?: string | null;
  policy?: JsonObject;
  expectedVersion?: number;
}

/**
 * Result of {@link OrganisationStore.update}.
 *
 * @example
 * ```ts
 * const r: UpdateOrganisationResult = await store.organisations.update('acme', { issuer: 'ACME' });
 * if (!r.ok) console.log(r.reason); // 'not_found' | 'version_mismatch'
 * ```
 */
export type UpdateOrganisationResult = { ok: true; organisation: OrganisationRecord } | { ok: false; reason: 'not_found' | 'version_mismatch' };

/**
 * One page of {@link OrganisationStore.list}; `cursor` is `null` on the last page.
 *
 * @example
 * ```ts
 * let page: OrganisationPage = await store.organisations.list({ limit: 50 });
 * while (page.cursor) page = await store.organisations.list({ limit: 50, cursor: page.cursor });
 * ```
 */
export interface OrganisationPage {
  organisations: OrganisationRecord[];
  cursor: string | null;
}

/**
 * The organisation records (the default organisation, {@link DEFAULT_ORGANISATION_ID}, is
 * configured by the application and never stored: `DEFAULT_ORGANISATION_ID`).
 *
 * @example
 * ```ts
 * await store.organisations.create({ id: 'acme', issuer: 'ACME Corp' });
 * const page = await store.organisations.list({ limit: 20 });
 * ```
 */
export interface OrganisationStore {
  /** Inserts an organisation. Duplicate id (or the default one): `ERR_STORAGE_CONFLICT`. */
  create(input: CreateOrganisationInput): Promise<OrganisationRecord>;
  /** The record, or `null`. */
  get(id: string): Promise<OrganisationRecord | null>;
  /** Replaces the given fields; atomic compare-and-set with `expectedVersion`. */
  update(id: string, changes: OrganisationChanges): Promise<UpdateOrganisationResult>;
  /** Organisations by id ascending, paged; the cursor is opaque. */
  list(options?: { limit?: number; cursor?: string }): Promise<OrganisationPage>;
}

/**
 * The four server stores of one organisation. Every row they read or write is keyed by the
 * organisation in the store itself: no id, user id, cursor or race reaches another
 * organisation's rows (docs/storage.md, "Organisations").
 *
 * @example
 * ```ts
 * const acme: OrganisationScope = store.forOrganisation('acme');
 * await acme.enrolments.listByUser('alice'); // ACME's alice only
 * ```
 */
export interface OrganisationScope {
  readonly enrolments: EnrolmentStore;
  readonly guard: OtpGuardStore;
  readonly challenges: ChallengeStore;
  readonly audit: AuditLog;
  /**
   * This organisation's webhook delivery state (docs/storage.md 7.2); every adapter of this
   * repository has it.
   */
  readonly webhooks?: WebhookStateStore;
}

/**
 * Everything the server keeps. Its own `enrolments`, `guard`, `challenges` and `audit` are the
 * default organisation's; {@link MfaStore.forOrganisation} gives any other's. `close()` is
 * idempotent; afterwards every method rejects with `ERR_STORAGE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const store: MfaStore = createMemoryStore({ clock: fixedClock(Date.UTC(2026, 0, 1)) });
 * await store.close();
 * ```
 */
export interface MfaStore extends OrganisationScope {
  readonly organisations: OrganisationStore;
  /**
   * The stores of organisation `id` (validated: `ERR_STORAGE_INVALID`), whether or not a
   * record exists for it; `DEFAULT_ORGANISATION_ID` gives this store's own parts.
   */
  forOrganisation(id: string): OrganisationScope;
  close(): Promise<void>;
}

/**
 * The client's secure key-value seam, mapped by the host to Keychain / Keystore /
 * SecureStore / IndexedDB. Values are bytes (the vault encrypts them first).
 *
 * @example
 * ```ts
 * await secure.set('vault.header', header);
 * const stored = await secure.get('vault.header'); // Uint8Array | null
 * ```
 */
export interface SecureKeyValueStore {
  get(key: string): Promise<Uint8Array | null>;
  /** Stores (replaces) the value. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** Removes the key; `true` when it existed. */
  delete(key: string): Promise<boolean>;
}
