import type Database from 'better-sqlite3';
import { type AuditEvent, type AuditLog } from '@cloudmfa/storage';
import {
  decodeSeqPosition,
  encodeAuditCursor,
  normalizeAuditEvent,
  normalizeAuditFollow,
  normalizeAuditQuery,
  type NormalizedAuditEvent,
  parseJsonObject,
} from '@cloudmfa/storage/adapter';
import { type SqliteContext } from './_context.js';
import { type Row, toEvent } from '@cloudmfa/sqlite-dialect';

/**
 * The audit log part of one organisation of the SQLite store: `log` is the part the store hands
 * out, `insert` is `append`'s write, run inside a transaction the caller holds (the guard's
 * consume uses it to log its entry in the same transaction, docs/storage.md section 5).
 */
export interface SqliteAuditPart {
  readonly log: AuditLog;
  /** Synchronous, inside a runner operation: appends `e` at `now`, or answers the stored event of its key. */
  insert(e: NormalizedAuditEvent, now: number): AuditEvent;
}

/** The audit log part of the SQLite store (statements per filter shape, prepared on first use). */
export function sqliteAudit(ctx: SqliteContext): SqliteAuditPart {
  // Every statement names the organisation (docs/storage.md, "Organisations").
  const { runner, q, now, org } = ctx;
  // Raw, positional (on every verification's path): org, now, kind, enrolmentId, userId, detail,
  // key. A key the log already holds inserts nothing and answers no row (its `seq` is used up:
  // ids may have gaps, never a repeat). `OR FAIL`: no statement journal, as the guard's statements.
  const auditInsert = q(`INSERT OR FAIL INTO cloudmfa_audit (org, at, kind, enrolment_id, user_id, detail, entry_key)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, entry_key) WHERE entry_key IS NOT NULL DO NOTHING RETURNING seq`).pluck(true);
  const auditByKey = q('SELECT * FROM cloudmfa_audit WHERE org = @org AND entry_key = @key');
  // Log order is `seq` order: one writer at a time holds the file (BEGIN IMMEDIATE), so a row
  // with a lower seq is committed no later than one with a higher seq.
  const auditFollow = q('SELECT * FROM cloudmfa_audit WHERE org = @org AND seq > @from ORDER BY seq LIMIT @limit');
  const auditQueries = new Map<string, Database.Statement>();
  const auditQuery = (key: { e: boolean; u: boolean; f: boolean; t: boolean; c: boolean }) => {
    const k = `${+key.e}${+key.u}${+key.f}${+key.t}${+key.c}`;
    let st = auditQueries.get(k);
    if (!st) {
      const where: string[] = ['org = @org'];
      if (key.e) where.push('enrolment_id = @enrolmentId');
      if (key.u) where.push('user_id = @userId');
      if (key.f) where.push('at >= @from');
      if (key.t) where.push('at < @to');
      if (key.c) where.push('(at < @cAt OR (at = @cAt AND seq < @cSeq))');
      st = q(`SELECT * FROM cloudmfa_audit WHERE ${where.join(' AND ')}
              ORDER BY at DESC, seq DESC LIMIT @limit`);
      auditQueries.set(k, st);
    }
    return st;
  };

  const insert = (e: NormalizedAuditEvent, t: number): AuditEvent => {
    const seq = auditInsert.get(org, t, e.kind, e.enrolmentId, e.userId, e.detail, e.key) as number | undefined;
    if (seq === undefined) {
      // An entry whose key the log holds (moved from the outbox again by a drain that died
      // before settling, or logged by a consume): the stored one.
      return toEvent(auditByKey.get({ org, key: e.key }) as Row);
    }
    return { id: String(seq), at: t, kind: e.kind, enrolmentId: e.enrolmentId, userId: e.userId, detail: parseJsonObject(e.detail, 'detail') };
  };

  const log: AuditLog = {
    append: async (event) => {
      const t = now();
      const e = normalizeAuditEvent(event);
      return runner.write(() => insert(e, t));
    },
    query: async (query) => {
      now();
      const nq = normalizeAuditQuery(query);
      const st = auditQuery({
        e: nq.enrolmentId !== undefined,
        u: nq.userId !== undefined,
        f: nq.from !== undefined,
        t: nq.to !== undefined,
        c: nq.after !== null,
      });
      const params: Record<string, unknown> = { org, limit: nq.limit + 1 };
      if (nq.enrolmentId !== undefined) params.enrolmentId = nq.enrolmentId;
      if (nq.userId !== undefined) params.userId = nq.userId;
      if (nq.from !== undefined) params.from = nq.from;
      if (nq.to !== undefined) params.to = nq.to;
      if (nq.after) {
        params.cAt = nq.after.at;
        params.cSeq = nq.after.seq;
      }
      return runner.read(() => {
        const rows = st.all(params) as Row[];
        const page = rows.slice(0, nq.limit);
        const last = page[page.length - 1];
        return {
          events: page.map(toEvent),
          cursor: rows.length > nq.limit && last ? encodeAuditCursor({ at: last.at as number, seq: last.seq as number }) : null,
        };
      });
    },
    follow: async (options) => {
      now();
      const { after, limit } = normalizeAuditFollow(options);
      const from = decodeSeqPosition(after);
      return runner.read(() => ({
        events: (auditFollow.all({ org, from, limit }) as Row[]).map((r) => {
          const e = toEvent(r);
          return { ...e, position: e.id };
        }),
      }));
    },
  };
  return { log, insert };
}
