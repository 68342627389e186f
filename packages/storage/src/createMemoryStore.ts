import { type Clock, systemClock } from '@cloudmfa/core';
import { encodeAuditCursor } from './auditCursor.js';
import { storageError } from './errors.js';
import {
  normalizeAuditEvent,
  normalizeAuditQuery,
  normalizeCreateChallenge,
  normalizeCreateEnrolment,
  normalizeEnrolmentChanges,
  normalizeFinalize,
  normalizePauseUser,
  type NormalizedAuditEvent,
} from './normalize.js';
import { decodeSeqPosition, normalizeAuditFollow, normalizeWebhookPut } from './normalizeWebhook.js';
import { createMemoryGuard } from './_memoryGuard.js';
import type {
  AuditEvent,
  AuditLog,
  ChallengeRecord,
  ChallengeStore,
  EnrolmentRecord,
  EnrolmentStore,
  JsonObject,
  MfaStore,
  OrganisationRecord,
  OrganisationScope,
  OrganisationStore,
} from './types.js';
import type { WebhookStateRecord, WebhookStateStore } from './webhookState.js';
import {
  assertOrganisationId,
  normalizeCreateOrganisation,
  normalizeOrganisationChanges,
  normalizeOrganisationList,
  scopeCache,
} from './organisations.js';
import {
  assertStorageId,
  assertUserId,
  copyJsonObject,
  parseJsonObject,
  readClock,
  resolveLimit,
} from './validate.js';

// Records read more often than written hold their JSON as objects the store owns, parsed once
// from the serialized input (so exactly what an adapter that stores the text reads back), and
// never handed out: every read returns copyJsonObject's deep copy, several times cheaper than
// a parse. Audit rows, written once and read rarely, keep the text and parse it when read.
type EnrolmentRow = EnrolmentRecord;
type ChallengeRow = ChallengeRecord;
interface AuditRow extends Omit<AuditEvent, 'detail' | 'id'> {
  seq: number;
  detail: string;
}
/** The store's own object for validated JSON text (normalize*'s output). */
const hold = (text: string): JsonObject => JSON.parse(text) as JsonObject;

/**
 * An {@link MfaStore} in memory: for tests, demos and single-process tools. Each organisation
 * has maps of its own (`forOrganisation`), so no key reaches another's rows. Every operation
 * validates, then reads and writes with no `await` in between, so it is atomic within the
 * process. `guard.consume` given the scope's own `audit` as `auditLog` appends the entry to it
 * in that same step and answers `logged` (no outbox entry). State is lost when the process ends.
 *
 * @example
 * ```ts
 * import { fixedClock } from '@cloudmfa/core';
 * const clock = fixedClock(Date.UTC(2026, 0, 1));
 * const store = createMemoryStore({ clock });
 * await store.guard.consume('enr1', 56_666_666); // { ok: true, ... }
 * await store.guard.consume('enr1', 56_666_666); // { ok: false, reason: 'replayed', ... }
 * ```
 */
export function createMemoryStore(options: { clock?: Clock } = {}): MfaStore {
  const clock = options.clock ?? systemClock;
  let closed = false;

  // Every public method runs through `op`: the closed check and the clock read happen first,
  // and the body is synchronous, which is what makes each operation atomic here.
  const op = async <T>(body: (now: number) => T): Promise<T> => {
    if (closed) throw storageError('ERR_STORAGE_UNAVAILABLE', 'the store is closed');
    return body(readClock(clock));
  };

  const root = createMemoryScope(op);
  return {
    ...root,
    organisations: createMemoryOrganisations(op),
    forOrganisation: scopeCache(root, () => createMemoryScope(op)),
    close: async () => {
      closed = true;
    },
  };
}

type Op = <T>(body: (now: number) => T) => Promise<T>;

/** The organisation records on a map (the ordered listing sorts the ids). */
function createMemoryOrganisations(op: Op): OrganisationStore {
  const orgs = new Map<string, OrganisationRecord>();
  const toRecord = (r: OrganisationRecord): OrganisationRecord => ({ ...r, policy: copyJsonObject(r.policy) });
  return {
    create: (input) =>
      op((now) => {
        const o = normalizeCreateOrganisation(input);
        if (orgs.has(o.id)) throw storageError('ERR_STORAGE_CONFLICT', 'an organisation with this id already exists');
        const row = { ...o, policy: hold(o.policy), createdAt: now, updatedAt: now, version: 1 };
        orgs.set(o.id, row);
        return toRecord(row);
      }),
    get: (id) =>
      op(() => {
        assertOrganisationId(id, 'id');
        const r = orgs.get(id);
        return r ? toRecord(r) : null;
      }),
    update: (id, changes) =>
      op((now) => {
        assertOrganisationId(id, 'id');
        const { expectedVersion, policy, ...c } = normalizeOrganisationChanges(changes);
        const r = orgs.get(id);
        if (!r) return { ok: false as const, reason: 'not_found' as const };
        if (expectedVersion !== undefined && r.version !== expectedVersion) return { ok: false as const, reason: 'version_mismatch' as const };
        Object.assign(r, c, policy === undefined ? {} : { policy: hold(policy) }, { updatedAt: now, version: r.version + 1 });
        return { ok: true as const, organisation: toRecord(r) };
      }),
    list: (options) =>
      op(() => {
        const { limit, after } = normalizeOrganisationList(options);
        const ids = [...orgs.keys()].filter((id) => after === null || id > after).sort();
        const page = ids.slice(0, limit).map((id) => toRecord(orgs.get(id)!));
        return { organisations: page, cursor: ids.length > limit ? page[page.length - 1]!.id : null };
      }),
  };
}

/** One organisation's four stores on plain maps; `op` is the store's (closed check, clock). */
function createMemoryScope(op: Op): OrganisationScope {
  const enrolments = new Map<string, EnrolmentRow>();
  const challenges = new Map<string, ChallengeRow>();
  const pauses = new Map<string, number>();
  const pendingOf = (userId: string, now: number) =>
    [...challenges.values()].filter((r) => r.userId === userId && r.status === 'pending' && now < r.expiresAt);
  const audit: AuditRow[] = [];
  const auditByKey = new Map<string, AuditRow>();
  let seq = 0;

  const toEnrolment = (r: EnrolmentRow, wipeSecret = false): EnrolmentRecord => ({
    ...r,
    secret: wipeSecret ? new Uint8Array(0) : r.secret.slice(),
    meta: copyJsonObject(r.meta),
  });
  const toChallenge = (r: ChallengeRow, now: number): ChallengeRecord => {
    const expired = r.status === 'pending' && now >= r.expiresAt;
    return {
      ...r,
      status: expired ? 'expired' : r.status,
      finalizedAt: expired ? r.expiresAt : r.finalizedAt,
      meta: copyJsonObject(r.meta),
      outcome: r.outcome === null ? null : copyJsonObject(r.outcome),
    };
  };

  const enrolmentStore: EnrolmentStore = {
    create: (input) =>
      op((now) => {
        const e = normalizeCreateEnrolment(input, now);
        if (enrolments.has(e.id)) throw storageError('ERR_STORAGE_CONFLICT', 'an enrolment with this id already exists');
        const row: EnrolmentRow = {
          id: e.id,
          userId: e.userId,
          status: 'pending',
          secret: e.secret,
          meta: hold(e.meta),
          createdAt: now,
          expiresAt: e.expiresAt,
          activatedAt: null,
          revokedAt: null,
          version: 1,
        };
        enrolments.set(row.id, row);
        return toEnrolment(row);
      }),
    get: (id) =>
      op(() => {
        assertStorageId(id, 'id');
        const r = enrolments.get(id);
        return r ? toEnrolment(r) : null;
      }),
    listByUser: (userId, options) =>
      op(() => {
        assertUserId(userId, 'userId');
        const limit = resolveLimit(options?.limit, 'limit');
        return [...enrolments.values()]
          .filter((r) => r.userId === userId)
          .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .slice(0, limit)
          .map((r) => toEnrolment(r));
      }),
    redeem: (id, changes) =>
      op((now) => {
        assertStorageId(id, 'id');
        const { secret, meta } = normalizeEnrolmentChanges(changes, { allowVersion: false });
        const r = enrolments.get(id);
        if (!r) return { ok: false as const, reason: 'not_found' as const };
        if (r.status === 'active') return { ok: false as const, reason: 'already_active' as const, enrolment: toEnrolment(r, true) };
        if (r.status === 'revoked') return { ok: false as const, reason: 'revoked' as const, enrolment: toEnrolment(r, true) };
        if (now >= r.expiresAt) return { ok: false as const, reason: 'expired' as const, enrolment: toEnrolment(r, true) };
        r.status = 'active';
        r.activatedAt = now;
        if (secret) r.secret = secret;
        if (meta !== undefined) r.meta = hold(meta);
        r.version++;
        return { ok: true as const, enrolment: toEnrolment(r) };
      }),
    update: (id, changes) =>
      op(() => {
        assertStorageId(id, 'id');
        const { secret, meta, expectedVersion: expected } = normalizeEnrolmentChanges(changes, { allowVersion: true });
        const r = enrolments.get(id);
        if (!r) return { ok: false as const, reason: 'not_found' as const };
        if (r.status === 'revoked') return { ok: false as const, reason: 'revoked' as const };
        if (expected !== undefined && r.version !== expected) return { ok: false as const, reason: 'version_mismatch' as const };
        if (secret) r.secret = secret;
        if (meta !== undefined) r.meta = hold(meta);
        r.version++;
        return { ok: true as const, enrolment: toEnrolment(r) };
      }),
    revoke: (id) =>
      op((now) => {
        assertStorageId(id, 'id');
        const r = enrolments.get(id);
        if (!r) return { ok: false as const, reason: 'not_found' as const };
        if (r.status === 'revoked') return { ok: false as const, reason: 'already_revoked' as const };
        r.status = 'revoked';
        r.revokedAt = now;
        r.secret.fill(0);
        r.secret = new Uint8Array(0);
        r.version++;
        return { ok: true as const, enrolment: toEnrolment(r) };
      }),
  };

  const challengeStore: ChallengeStore = {
    create: (input) =>
      op((now) => {
        const c = normalizeCreateChallenge(input, now);
        if (challenges.has(c.id)) throw storageError('ERR_STORAGE_CONFLICT', 'a challenge with this id already exists');
        const paused = pauses.get(c.userId);
        if (paused !== undefined && now < paused) return { ok: false as const, reason: 'paused' as const, pausedUntil: paused };
        if (c.maxPending !== null) {
          const pending = pendingOf(c.userId, now).length;
          if (pending >= c.maxPending) return { ok: false as const, reason: 'too_many_pending' as const, pending };
        }
        const row: ChallengeRow = {
          id: c.id,
          enrolmentId: c.enrolmentId,
          userId: c.userId,
          status: 'pending',
          createdAt: now,
          expiresAt: c.expiresAt,
          finalizedAt: null,
          meta: hold(c.meta),
          outcome: null,
        };
        challenges.set(row.id, row);
        return { ok: true as const, challenge: toChallenge(row, now) };
      }),
    get: (id) =>
      op((now) => {
        assertStorageId(id, 'id');
        const r = challenges.get(id);
        return r ? toChallenge(r, now) : null;
      }),
    finalize: (id, transition) =>
      op((now) => {
        assertStorageId(id, 'id');
        const { status, outcome } = normalizeFinalize(transition);
        const r = challenges.get(id);
        if (!r) return { ok: false as const, reason: 'not_found' as const };
        if (r.status !== 'pending') {
          return { ok: false as const, reason: 'already_final' as const, status: r.status as 'approved', challenge: toChallenge(r, now) };
        }
        if (now >= r.expiresAt) return { ok: false as const, reason: 'expired' as const, challenge: toChallenge(r, now) };
        r.status = status;
        r.finalizedAt = now;
        r.outcome = outcome === null ? null : hold(outcome);
        return { ok: true as const, challenge: toChallenge(r, now) };
      }),
    listPending: (enrolmentId, options) =>
      op((now) => {
        assertStorageId(enrolmentId, 'enrolmentId');
        const limit = resolveLimit(options?.limit, 'limit');
        return [...challenges.values()]
          .filter((r) => r.enrolmentId === enrolmentId && r.status === 'pending' && now < r.expiresAt)
          .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
          .slice(0, limit)
          .map((r) => toChallenge(r, now));
      }),
    pauseUser: (userId, options) =>
      op((now) => {
        const p = normalizePauseUser(userId, options);
        const pausedUntil = Math.max(pauses.get(p.userId) ?? 0, p.until);
        pauses.set(p.userId, pausedUntil);
        let cancelled = 0;
        const outcome = hold(p.outcome);
        for (const r of pendingOf(p.userId, now)) {
          r.status = 'cancelled';
          r.finalizedAt = now;
          r.outcome = outcome;
          cancelled++;
        }
        return { pausedUntil, cancelled };
      }),
    getPause: (userId) =>
      op((now) => {
        assertUserId(userId, 'userId');
        const until = pauses.get(userId);
        return until !== undefined && now < until ? until : null;
      }),
    resumeUser: (userId) =>
      op(() => {
        assertUserId(userId, 'userId');
        pauses.delete(userId);
      }),
  };

  const toEvent = (r: AuditRow): AuditEvent => ({
    id: String(r.seq),
    at: r.at,
    kind: r.kind,
    enrolmentId: r.enrolmentId,
    userId: r.userId,
    detail: parseJsonObject(r.detail, 'detail'),
  });

  // The body of `append`, also run by the guard's consume inside its own step (the direct path).
  const appendAudit = ({ key, kind, enrolmentId, userId, detail }: NormalizedAuditEvent, now: number): AuditEvent => {
    const known = key === null ? undefined : auditByKey.get(key);
    if (known) return toEvent(known);
    const row: AuditRow = { seq: ++seq, at: now, kind, enrolmentId, userId, detail };
    audit.push(row);
    if (key !== null) auditByKey.set(key, row);
    return toEvent(row);
  };
  const auditLog: AuditLog = {
    append: (event) => op((now) => appendAudit(normalizeAuditEvent(event), now)),
    query: (query) =>
      op(() => {
        const q = normalizeAuditQuery(query);
        const { limit, after } = q;
        const matches: AuditRow[] = [];
        // Rows are appended in (seq) order with a non-decreasing clock in practice, but the
        // clock may go backwards (tests, NTP): sort by (at desc, seq desc) explicitly.
        for (const r of audit) {
          if (q.enrolmentId !== undefined && r.enrolmentId !== q.enrolmentId) continue;
          if (q.userId !== undefined && r.userId !== q.userId) continue;
          if (q.from !== undefined && r.at < q.from) continue;
          if (q.to !== undefined && r.at >= q.to) continue;
          if (after && !(r.at < after.at || (r.at === after.at && r.seq < after.seq))) continue;
          matches.push(r);
        }
        matches.sort((a, b) => b.at - a.at || b.seq - a.seq);
        const page = matches.slice(0, limit);
        const last = page[page.length - 1];
        return {
          events: page.map(toEvent),
          cursor: matches.length > limit && last ? encodeAuditCursor({ at: last.at, seq: last.seq }) : null,
        };
      }),
    follow: (options) =>
      op(() => {
        const { after, limit } = normalizeAuditFollow(options);
        const from = decodeSeqPosition(after);
        // `audit` is in seq order and seq is 1-based: the rows after `from` start at index `from`.
        return { events: audit.slice(from, from + limit).map((r) => ({ ...toEvent(r), position: String(r.seq) })) };
      }),
  };

  const guardStore = createMemoryGuard(op, { log: auditLog, append: appendAudit }).store;

  const webhookRows = new Map<string, WebhookStateRecord>();
  const toWebhook = (r: WebhookStateRecord): WebhookStateRecord => ({
    endpointId: r.endpointId,
    state: copyJsonObject(r.state),
    version: r.version,
    updatedAt: r.updatedAt,
  });
  const webhooks: WebhookStateStore = {
    get: (endpointId) =>
      op(() => {
        assertStorageId(endpointId, 'endpointId');
        const r = webhookRows.get(endpointId);
        return r ? toWebhook(r) : null;
      }),
    put: (input) =>
      op((now) => {
        const { endpointId, state, expectedVersion } = normalizeWebhookPut(input);
        const r = webhookRows.get(endpointId);
        if ((r?.version ?? null) !== expectedVersion) return { ok: false as const, reason: 'version_mismatch' as const, record: r ? toWebhook(r) : null };
        const row = { endpointId, state: hold(state), version: (r?.version ?? 0) + 1, updatedAt: now };
        webhookRows.set(endpointId, row);
        return { ok: true as const, record: toWebhook(row) };
      }),
  };

  return {
    enrolments: enrolmentStore,
    guard: guardStore,
    challenges: challengeStore,
    audit: auditLog,
    webhooks,
  };
}
