import { type AuditEvent, type AuditLog } from '@cloudmfa/storage';
import { encodeAuditCursor, normalizeAuditEvent, normalizeAuditQuery, type NormalizedAuditEvent } from '@cloudmfa/storage/adapter';
import type { D1StatementLike } from './d1.js';
import type { D1Context } from './_context.js';
import { type Row, toEvent } from '@cloudmfa/sqlite-dialect';
import { d1Follow } from './_webhooks.js';

const INSERT = `INSERT INTO cloudmfa_audit (org, at, kind, enrolment_id, user_id, detail)
    VALUES ($ORG, ?1, ?2, ?3, ?4, ?5) RETURNING *`;
// An entry with a key already in the log (moved from the outbox again by a drain that died
// before settling, or logged by a consume) writes nothing; the stored one is answered. With ?7
// (a consume's entry), written only when the statement just before it (the consume) changed its
// row. The WHERE also keeps SQLite from reading ON CONFLICT as a join constraint.
const INSERT_KEYED = `INSERT INTO cloudmfa_audit (org, at, kind, enrolment_id, user_id, detail, entry_key)
    SELECT $ORG, ?1, ?2, ?3, ?4, ?5, ?6 WHERE ?7 IS NULL OR changes() = 1
    ON CONFLICT (org, entry_key) WHERE entry_key IS NOT NULL DO NOTHING`;
const BY_KEY = 'SELECT * FROM cloudmfa_audit WHERE org = $ORG AND entry_key = ?1';

/**
 * The audit log part of one organisation of the D1 store: `log` is the part the store hands out;
 * `keyed` is `append`'s write of an entry with a key, as the two statements of a batch (the
 * insert, then the read of the stored event), `afterChange` for a consume's entry (docs/storage.md
 * section 5); `read` decodes the second statement's rows.
 */
export interface D1AuditPart {
  readonly log: AuditLog;
  keyed(e: NormalizedAuditEvent & { key: string }, now: number, afterChange: boolean): [D1StatementLike, D1StatementLike];
  read(rows: Row[] | undefined): AuditEvent;
}

/** The audit log part of the D1 store. */
export function d1Audit(ctx: D1Context): D1AuditPart {
  const { st, batch, now } = ctx;
  const keyed: D1AuditPart['keyed'] = (e, t, afterChange) => [
    st(INSERT_KEYED, t, e.kind, e.enrolmentId, e.userId, e.detail, e.key, afterChange ? 1 : null),
    st(BY_KEY, e.key),
  ];
  const read = (rows: Row[] | undefined) => toEvent(rows?.[0] ?? {});
  const log: AuditLog = {
    append: async (event) => {
      const t = now();
      const e = normalizeAuditEvent(event);
      if (e.key !== null) {
        const [, rows] = await batch(keyed({ ...e, key: e.key }, t, false));
        return read(rows);
      }
      const [rows] = await batch([st(INSERT, t, e.kind, e.enrolmentId, e.userId, e.detail)]);
      return toEvent(rows?.[0] ?? {});
    },
    query: async (query) => {
      now();
      const nq = normalizeAuditQuery(query);
      const where: string[] = ['org = $ORG'];
      const params: unknown[] = [];
      const param = (v: unknown) => {
        params.push(v);
        return `?${params.length}`;
      };
      if (nq.enrolmentId !== undefined) where.push(`enrolment_id = ${param(nq.enrolmentId)}`);
      if (nq.userId !== undefined) where.push(`user_id = ${param(nq.userId)}`);
      if (nq.from !== undefined) where.push(`at >= ${param(nq.from)}`);
      if (nq.to !== undefined) where.push(`at < ${param(nq.to)}`);
      if (nq.after) {
        const at = param(nq.after.at);
        where.push(`(at < ${at} OR (at = ${at} AND seq < ${param(nq.after.seq)}))`);
      }
      const sql = `SELECT * FROM cloudmfa_audit WHERE ${where.join(' AND ')} ORDER BY at DESC, seq DESC LIMIT ${param(nq.limit + 1)}`;
      const [rows = []] = await batch([st(sql, ...params)]);
      const page = rows.slice(0, nq.limit);
      const last = page[page.length - 1];
      return {
        events: page.map(toEvent),
        cursor: rows.length > nq.limit && last ? encodeAuditCursor({ at: last.at as number, seq: last.seq as number }) : null,
      };
    },
    follow: d1Follow(ctx),
  };
  return { log, keyed, read };
}
