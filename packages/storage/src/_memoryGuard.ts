// The OTP guard of the memory store (createMemoryStore.ts): replay and throttle state, the
// forgetting of time-based throttle rows, and the audit outbox written with each acceptance
// (or, given the scope's own audit log, the log entry itself).
import { type NormalizedAuditEvent, normalizeConsume, normalizeSettle } from './normalize.js';
import { assertThrottlePolicy, guardExpiry, type ThrottlePolicy, throttleDelay } from './throttle.js';
import type { AuditEvent, AuditLog, OtpGuardState, OtpGuardStore, PendingAuditEntry } from './types.js';
import { assertStorageId, parseJsonObject, resolveLimit } from './validate.js';

interface GuardRow extends OtpGuardState {
  /** ms; the row is forgotten at this time (see `ThrottlePolicy.forgetAfterMs`), or never. */
  expiresAt: number | null;
}
/** The entry as `normalizeConsume` gave it (detail: JSON text, parsed only when listed). */
interface OutboxRow extends Omit<PendingAuditEntry, 'detail'> {
  detail: string;
}

/** Rows kept before the first sweep of forgotten rows. */
const FIRST_SWEEP = 64;

/**
 * The audit log of the guard's own organisation scope: `log` is the object the scope hands out
 * (a consume given exactly it appends directly), `append` its synchronous body, run inside the
 * consume's `op`.
 */
interface MemoryAuditLog {
  log: AuditLog;
  append(event: NormalizedAuditEvent, now: number): AuditEvent;
}

/**
 * The guard on plain maps. `op` runs each body synchronously (see createMemoryStore). `size()`
 * counts the rows held, forgotten ones included, for the purge test; it is not exported from
 * the package.
 */
export function createMemoryGuard(
  op: <T>(body: (now: number) => T) => Promise<T>,
  own?: MemoryAuditLog,
): { store: OtpGuardStore; size(): number } {
  const guards = new Map<string, GuardRow>();
  const outbox = new Map<string, OutboxRow>();
  // Forgotten rows are swept whenever the map has doubled since the last sweep: amortised O(1)
  // per write, and the map never holds more than twice the live rows (plus FIRST_SWEEP).
  let sweepAt = FIRST_SWEEP;

  const live = (id: string, now: number): GuardRow | undefined => {
    const g = guards.get(id);
    if (g && g.expiresAt !== null && now >= g.expiresAt) {
      guards.delete(id);
      return undefined;
    }
    return g;
  };
  const insert = (g: GuardRow, now: number) => {
    if (guards.has(g.enrolmentId)) return;
    guards.set(g.enrolmentId, g);
    if (guards.size < sweepAt) return;
    for (const [id, row] of guards) if (row.expiresAt !== null && now >= row.expiresAt) guards.delete(id);
    sweepAt = Math.max(FIRST_SWEEP, 2 * guards.size);
  };
  const fresh = (id: string): GuardRow => ({ enrolmentId: id, lastStep: null, failures: 0, lockedUntil: null, drift: null, lastUsedAt: null, expiresAt: null });
  const state = ({ expiresAt: _e, ...g }: GuardRow): OtpGuardState => ({ ...g });
  // recordFailure's count, shared by attempt: one failure more, the lock and the expiry.
  const count = (id: string, policy: ThrottlePolicy, now: number, g: GuardRow = live(id, now) ?? fresh(id)): OtpGuardState => {
    g.failures++;
    const delay = throttleDelay(policy, g.failures);
    if (delay > 0) g.lockedUntil = Math.max(g.lockedUntil ?? 0, now + delay);
    g.expiresAt = guardExpiry(policy, { now, lockedUntil: g.lockedUntil, lastStep: g.lastStep });
    insert(g, now);
    return state(g);
  };

  const store: OtpGuardStore = {
    get: (id) =>
      op((now) => {
        assertStorageId(id, 'enrolmentId');
        const g = live(id, now);
        return g ? state(g) : null;
      }),
    consume: (id, step, options) =>
      op((now) => {
        const { drift, unlock, audit } = normalizeConsume(id, step, options);
        const g = live(id, now) ?? fresh(id);
        if (g.lockedUntil !== null && now < g.lockedUntil && (unlock === undefined || g.lockedUntil > unlock)) {
          return { ok: false as const, reason: 'locked' as const, lockedUntil: g.lockedUntil, failures: g.failures };
        }
        if (g.lastStep !== null && step <= g.lastStep) return { ok: false as const, reason: 'replayed' as const, lastStep: g.lastStep };
        g.lastStep = step;
        g.failures = 0;
        g.lockedUntil = null;
        g.lastUsedAt = now;
        g.expiresAt = null;
        if (drift !== undefined) g.drift = drift;
        insert(g, now);
        if (!audit) return { ok: true as const, state: state(g) };
        // The scope's own log, by identity (docs/storage.md section 5): appended in this same
        // synchronous step, idempotent by key, instead of an outbox entry.
        if (own !== undefined && options?.auditLog === own.log) return { ok: true as const, state: state(g), logged: own.append(audit, now) };
        if (!outbox.has(audit.key)) outbox.set(audit.key, { ...audit, at: now });
        return { ok: true as const, state: state(g) };
      }),
    recordFailure: (id, policy) =>
      op((now) => {
        assertStorageId(id, 'enrolmentId');
        assertThrottlePolicy(policy);
        return count(id, policy, now);
      }),
    attempt: (id, policy) =>
      op((now) => {
        assertStorageId(id, 'enrolmentId');
        assertThrottlePolicy(policy);
        const g = live(id, now);
        if (g && g.lockedUntil !== null && now < g.lockedUntil) {
          return { ok: false as const, reason: 'locked' as const, lockedUntil: g.lockedUntil, failures: g.failures };
        }
        return { ok: true as const, state: count(id, policy, now, g) };
      }),
    reset: (id) =>
      op((now) => {
        assertStorageId(id, 'enrolmentId');
        const g = live(id, now);
        if (g) {
          g.failures = 0;
          g.lockedUntil = null;
        }
      }),
    listPendingAudit: (options) =>
      op(() => {
        const limit = resolveLimit(options?.limit, 'limit');
        return [...outbox.values()]
          .sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          .slice(0, limit)
          .map((r) => ({ ...r, detail: parseJsonObject(r.detail, 'detail') }));
      }),
    settleAudit: (entry) =>
      op(() => {
        const { key, enrolmentId } = normalizeSettle(entry);
        if (outbox.get(key)?.enrolmentId === enrolmentId) outbox.delete(key);
      }),
  };
  return { store, size: () => guards.size };
}
