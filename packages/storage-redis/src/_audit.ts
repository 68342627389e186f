import { type AuditEvent, type AuditLog } from '@cloudmfa/storage';
import { encodeAuditCursor, normalizeAuditEvent, normalizeAuditQuery, storageError } from '@cloudmfa/storage/adapter';
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
  const markerTtl = ctx.auditRetentionMs === null ? '' : String(ctx.auditRetentionMs);

  return {
    drain: () => appends.drain(),
    append: (event) =>
      ctx.op(async (now): Promise<AuditEvent> => {
        const e = normalizeAuditEvent(event);
        const minId = ctx.auditRetentionMs === null ? '' : `${Math.max(0, now - ctx.auditRetentionMs)}-0`;
        const reply = await appends.push(allKey, [
          String(now),
          e.kind,
          e.enrolmentId ?? '',
          e.userId ?? '',
          e.detail,
          minId,
          e.key === null ? '' : auditMarkerKey(prefix, e.key),
          markerTtl,
          e.enrolmentId === null ? '' : auditEnrolmentKey(prefix, e.enrolmentId),
          e.userId === null ? '' : auditUserKey(prefix, e.userId),
        ]);
        if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[0] !== 'string') throw corrupt();
        const id = reply[0];
        if (reply[1] === 1) {
          // The key is in the log already (an outbox entry moved twice): the stored event.
          const stored = (await client.xrange(allKey, id, id)) as unknown[];
          if (stored.length === 1) return decodeAuditEntry(stored[0]);
        }
        const { at } = parseStreamId(id);
        return { id, at, kind: e.kind, enrolmentId: e.enrolmentId, userId: e.userId, detail: JSON.parse(e.detail) };
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
