import { type AttemptResult, type AuditLog, type ConsumeResult, type OtpGuardState, type OtpGuardStore, type PendingAuditEntry, type ThrottlePolicy } from '@cloudmfa/storage';
import {
  assertStorageId,
  assertThrottlePolicy,
  normalizeConsume,
  type NormalizedPendingAudit,
  normalizeSettle,
  parseJsonObject,
  resolveLimit,
  storageError,
} from '@cloudmfa/storage/adapter';
import { decodeGuard, intOf, mapOfObject, nullableIntOf } from './_codec.js';
import { type Batcher, createBatcher } from './_batch.js';
import type { StoreContext } from './_context.js';
import { appendedEvent, appendArgs } from './_audit.js';
import { auditAllKey, guardKey, OUTBOX_SUFFIX, outboxKey } from './_keys.js';
import { scanKeys } from './_scan.js';
import { GUARD_CONSUME, GUARD_CONSUME_LOGGED, GUARD_COUNT, GUARD_RESET, OUTBOX_SETTLE } from './_scripts.js';

const corrupt = () => storageError('ERR_STORAGE_CORRUPT', 'a stored OTP guard cannot be decoded');

function strings(reply: unknown, n: number): string[] {
  if (!Array.isArray(reply) || reply[0] === 'corrupt' || reply.length < n || reply.some((v) => typeof v !== 'string')) throw corrupt();
  return reply as string[];
}

/**
 * The OTP guard part of the Redis store set: one hash per enrolment, one script per change.
 * `consume`, `attempt`, `recordFailure` and `settleAudit`, the hot path, go through batchers
 * (group commit); `drain` is for close(). `ownLog` is the audit log of the same scope, given
 * only in single-server mode: a consume given it as `auditLog` appends its entry there in its
 * own script (docs/storage-redis.md 3.3).
 */
export function redisGuard(ctx: StoreContext, ownLog?: AuditLog): OtpGuardStore & { drain(): Promise<void> } {
  const { client, prefix } = ctx;
  const consumes: Batcher = createBatcher(ctx, GUARD_CONSUME);
  const consumesLogged: Batcher = createBatcher(ctx, GUARD_CONSUME_LOGGED);
  const allKey = auditAllKey(prefix);
  const counts: Batcher = createBatcher(ctx, GUARD_COUNT);
  // Settles of one turn: one HDEL script per slot; one alone in its slot is a plain HDEL.
  const settles: Batcher = createBatcher(ctx, OUTBOX_SETTLE, { single: (key, [field]) => client.hdel(key, field!).then(() => 1) });

  // recordFailure and attempt: one script (GUARD_COUNT); `mode` 'attempt' refuses a locked guard.
  const count = async (enrolmentId: string, policy: ThrottlePolicy, now: number, mode: '' | 'attempt'): Promise<AttemptResult> => {
    assertStorageId(enrolmentId, 'enrolmentId');
    assertThrottlePolicy(policy);
    const r = strings(
      await counts.push(guardKey(prefix, enrolmentId), [
        String(now),
        String(policy.freeFailures),
        String(policy.baseDelayMs),
        String(policy.maxDelayMs),
        String(policy.lockoutFailures),
        String(policy.lockoutMs),
        policy.forgetAfterMs === undefined ? '' : String(policy.forgetAfterMs),
        mode,
      ]),
      1,
    );
    if (r[0] === 'ok' && r.length === 6) {
      return {
        ok: true,
        state: {
          enrolmentId,
          lastStep: nullableIntOf(r[1], 'guard lastStep'),
          failures: intOf(r[2], 'guard failures'),
          lockedUntil: nullableIntOf(r[3], 'guard lockedUntil'),
          drift: nullableIntOf(r[4], 'guard drift'),
          lastUsedAt: nullableIntOf(r[5], 'guard lastUsedAt'),
        },
      };
    }
    if (mode === 'attempt' && r[0] === 'locked' && r.length === 3) {
      return { ok: false, reason: 'locked', lockedUntil: intOf(r[1], 'guard lockedUntil'), failures: intOf(r[2], 'guard failures') };
    }
    throw corrupt();
  };

  return {
    drain: async () => {
      await Promise.all([consumes.drain(), consumesLogged.drain(), counts.drain(), settles.drain()]);
    },
    get: (enrolmentId) =>
      ctx.op(async (now) => {
        assertStorageId(enrolmentId, 'enrolmentId');
        const f = mapOfObject(await client.hgetall(guardKey(prefix, enrolmentId)), 'OTP guard');
        if (f.size === 0) return null;
        // Forgotten by the injected clock; Redis's TTL removes it by its own.
        const e = f.get('e');
        if (e !== undefined && now >= intOf(e, 'guard expiry')) return null;
        return decodeGuard(enrolmentId, f);
      }),

    consume: (enrolmentId, step, options) =>
      ctx.op(async (now): Promise<ConsumeResult> => {
        const { drift, unlock, audit } = normalizeConsume(enrolmentId, step, options);
        const head = [String(now), String(step), drift === undefined ? '' : String(drift), unlock === undefined ? '' : String(unlock)];
        const key = guardKey(prefix, enrolmentId);
        // This scope's own log in single-server mode: the entry goes into the audit streams in
        // the consume's script (docs/storage-redis.md 3.3). Anything else keeps the outbox.
        const direct = audit !== null && ownLog !== undefined && options?.auditLog === ownLog;
        const r = strings(
          direct
            ? await consumesLogged.push(key, [...head, ...appendArgs(ctx, audit, now), allKey])
            : await consumes.push(key, [...head, outboxKey(prefix, enrolmentId), audit?.key ?? '', audit === null ? '' : outboxEntry(audit, now)]),
          1,
        );
        if (r[0] === 'ok' && r.length === (direct ? 4 : 2)) {
          const state = { enrolmentId, lastStep: step, failures: 0, lockedUntil: null, drift: nullableIntOf(r[1], 'guard drift'), lastUsedAt: now };
          if (!direct) return { ok: true, state };
          return { ok: true, state, logged: await appendedEvent(ctx, audit, r[2], r[3] === '1' ? 1 : 0) };
        }
        if (r[0] === 'replayed' && r.length === 2) return { ok: false, reason: 'replayed', lastStep: intOf(r[1], 'guard lastStep') };
        if (r[0] === 'locked' && r.length === 3) {
          return { ok: false, reason: 'locked', lockedUntil: intOf(r[1], 'guard lockedUntil'), failures: intOf(r[2], 'guard failures') };
        }
        throw corrupt();
      }),

    recordFailure: (enrolmentId, policy) =>
      ctx.op(async (now): Promise<OtpGuardState> => {
        const r = await count(enrolmentId, policy, now, '');
        if (!r.ok) throw corrupt();
        return r.state;
      }),

    attempt: (enrolmentId, policy) => ctx.op((now) => count(enrolmentId, policy, now, 'attempt')),

    reset: (enrolmentId) =>
      ctx.op(async (now) => {
        assertStorageId(enrolmentId, 'enrolmentId');
        await ctx.run(GUARD_RESET, [guardKey(prefix, enrolmentId)], [String(now)]);
      }),

    // The outbox hashes sit in their guards' slots (written by the consume script), so finding
    // them takes a SCAN of the prefix on every master: the drain runs rarely and the outbox is
    // empty unless the audit log was unreachable (docs/storage-redis.md 4).
    listPendingAudit: (options) =>
      ctx.op(async () => {
        const limit = resolveLimit(options?.limit, 'limit');
        const found: PendingAuditEntry[] = [];
        // The pattern of the default organisation also matches the others' keys (`{acme/...}`):
        // a key is this organisation's only when the rest of its tag holds no slash.
        for (const key of await scanKeys(client, `${prefix}*}${OUTBOX_SUFFIX}`)) {
          if (key.slice(prefix.length, key.length - OUTBOX_SUFFIX.length - 1).includes('/')) continue;
          const fields = mapOfObject(await client.hgetall(key), 'audit outbox');
          for (const [k, v] of fields) found.push(decodePending(k, v));
        }
        found.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        return found.slice(0, limit);
      }),

    settleAudit: (entry) =>
      ctx.op(async () => {
        const { key, enrolmentId } = normalizeSettle(entry);
        if ((await settles.push(outboxKey(prefix, enrolmentId), [key])) === 'corrupt') {
          throw storageError('ERR_STORAGE_CORRUPT', 'a stored audit outbox has an unexpected type');
        }
      }),
  };
}

/** The entry as the outbox keeps it: `detail` is already JSON text. */
function outboxEntry(audit: NormalizedPendingAudit, now: number): string {
  return `{"kind":${JSON.stringify(audit.kind)},"enrolmentId":${JSON.stringify(audit.enrolmentId)},"userId":${JSON.stringify(audit.userId)},"detail":${audit.detail},"at":${now}}`;
}

function decodePending(key: string, json: string): PendingAuditEntry {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw storageError('ERR_STORAGE_CORRUPT', 'a stored outbox entry cannot be decoded');
  }
  const o = v as { kind?: unknown; enrolmentId?: unknown; userId?: unknown; detail?: unknown; at?: unknown };
  const okNullable = (x: unknown) => x === null || typeof x === 'string';
  if (typeof o !== 'object' || o === null || typeof o.kind !== 'string' || typeof o.enrolmentId !== 'string' || !okNullable(o.userId) || !Number.isSafeInteger(o.at)) {
    throw storageError('ERR_STORAGE_CORRUPT', 'a stored outbox entry cannot be decoded');
  }
  return {
    key,
    kind: o.kind,
    enrolmentId: o.enrolmentId,
    userId: o.userId as string | null,
    detail: parseJsonObject(JSON.stringify(o.detail), 'detail'),
    at: o.at as number,
  };
}
