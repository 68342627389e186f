import { type AuditEvent, type AuditLog } from '@cloudmfa/storage';
import { encodeAuditCursor, type NormalizedAuditEvent, normalizeAuditEvent, normalizeAuditQuery, storageError } from '@cloudmfa/storage/adapter';
import { decodeAuditEntry, parseStreamId } from './_codec.js';
import { type Batcher, createBatcher } from './_batch.js';
import type { StoreContext } from './_context.js';
import { auditAllKey, auditEnrolmentKey, auditMarkerKey, auditUserKey } from './_keys.js';
import { AUDIT_APPEND, AUDIT_QUERY } from './_scripts.js';
import { redisFollow } from './_webhooks.js';

/** The most stream entries one filtered audit query inspects before it returns a cursor. */
const AUDIT_QUERY_MAX_SCAN = 5_000;

const corrupt = () => storageError('ERR_STORAGE_CORRUPT', 'a stored audit event cannot be decoded');

/**
 * The ARGV of one append after its `now`, as AUDIT_APPEND and GUARD_CONSUME_LOGGED take it:
 * kind, enrolmentId, userId, detail, minId (the retention's trim), the marker key of the
 * idempotency key and its lifetime (the retention, at least 1 ms: Redis refuses `PX 0`), the
 * enrolment stream, the user stream ('' = none).
 */
export function appendArgs(ctx: StoreContext, e: NormalizedAuditEvent, now: number): string[] {
  const { prefix, auditRetentionMs: retention } = ctx;
  return [
    e.kind,
    e.enrolmentId ?? '',
    e.userId ?? '',
    e.detail,
    retention === null ? '' : `${Math.max(0, now - retention)}-0`,
    e.key === null ? '' : auditMarkerKey(prefix, e.key),
    retention === null ? '' : String(Math.max(1, retention)),
    e.enrolmentId === null ? '' : auditEnrolmentKey(prefix, e.enrolmentId),
    e.userId === null ? '' : auditUserKey(prefix, e.userId),
  ];
}

/**
 * The event an append answered `id` and `known` for: a new one is `e` under that id; a known
 * key (already in the log: an outbox entry moved twice) is read back as stored. The append has
 * happened, so this never fails on that read: when it fails or finds nothing (the event was
 * trimmed), the answer is `e`'s content under the stored event's id.
 */
export async function appendedEvent(ctx: StoreContext, e: NormalizedAuditEvent, id: unknown, known: unknown): Promise<AuditEvent> {
  if (typeof id !== 'string') throw corrupt();
  const { at } = parseStreamId(id);
  if (known === 1) {
    try {
      const stored = (await ctx.client.xrange(auditAllKey(ctx.prefix), id, id)) as unknown[];
      if (stored.length === 1) return decodeAuditEntry(stored[0]);
    } catch {
      // The fallback below: the event is in the log, only its read failed.
    }
  }
  return { id, at, kind: e.kind, enrolmentId: e.enrolmentId, userId: e.userId, detail: JSON.parse(e.detail) };
}

/**
 * The audit log on Redis Streams (docs/storage-redis.md, section 5): every event in the
 * `all` stream and in the streams of its enrolment and user, all under the `{audit}` hash
 * tag, appended by one script with one id `<at>-<seq>`; the appends of one event-loop turn
 * share one script call. `drain` is for close().
 */
export function redisAudit(ctx: StoreContext): AuditLog & { drain(): Promise<void> } {
  const { client, prefix } = ctx;
  // Appends of one event-loop turn go as one script call (group commit, like the guard's).
  const appends: Batcher = createBatcher(ctx, AUDIT_APPEND);
  const allKey = auditAllKey(prefix);

  return {
    drain: () => appends.drain(),
    append: (event) =>
      ctx.op(async (now): Promise<AuditEvent> => {
        const e = normalizeAuditEvent(event);
        const reply = await appends.push(allKey, [String(now), ...appendArgs(ctx, e, now)]);
        if (!Array.isArray(reply) || reply.length !== 2) throw corrupt();
        return appendedEvent(ctx, e, reply[0], reply[1]);
      }),

    query: (query) =>
      ctx.op(async () => {
        const q = normalizeAuditQuery(query);
        // One stream per query: the most specific one the filters name.
        const key =
          q.enrolmentId !== undefined
            ? auditEnrolmentKey(prefix, q.enrolmentId)
            : q.userId !== undefined
              ? auditUserKey(prefix, q.userId)
              : auditAllKey(prefix);
        // Upper bound (exclusive): the cursor or `to`, whichever is lower.
        let end = '+';
        if (q.to !== undefined) end = `(${q.to}-0`;
        if (q.after && (q.to === undefined || q.after.at < q.to)) end = `(${q.after.at}-${q.after.seq}`;
        // Nothing is older than 0-0 (and Redis refuses the exclusive bound `(0-0`).
        if (end === '(0-0') return { events: [], cursor: null };
        const start = q.from === undefined ? '-' : `${q.from}-0`;
        const reply = await ctx.run(AUDIT_QUERY, [key], [end, start, String(q.limit), q.userId ?? '', String(AUDIT_QUERY_MAX_SCAN)]);
        if (!Array.isArray(reply) || reply.length !== 3 || !Array.isArray(reply[0])) throw corrupt();
        const entries = reply[0] as unknown[];
        const events = entries.slice(0, q.limit).map(decodeAuditEntry);
        // Defence in depth: the stream of an enrolment or a user holds only its events.
        for (const ev of events) {
          if (q.enrolmentId !== undefined && ev.enrolmentId !== q.enrolmentId) throw corrupt();
          if (q.userId !== undefined && ev.userId !== q.userId) throw corrupt();
        }
        let cursor: string | null = null;
        const last = events[events.length - 1];
        if (entries.length > q.limit && last) cursor = encodeAuditCursor(parseStreamId(last.id));
        else if (reply[2] === 1 && typeof reply[1] === 'string' && reply[1] !== '') cursor = encodeAuditCursor(parseStreamId(reply[1]));
        return { events, cursor };
      }),
    follow: redisFollow(ctx),
  };
}
