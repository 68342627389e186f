import type { AuditFollowPage, AuditFollowOptions, WebhookStateRecord, WebhookStateStore } from '@cloudmfa/storage';
import { assertStorageId, decodeSeqPosition, normalizeAuditFollow, normalizeWebhookPut, parseJsonObject } from '@cloudmfa/storage/adapter';
import { type Row, statement, type Statement } from './_pg.js';
import { int, text, toEvent } from './_rows.js';

type Query = (stmt: Statement, values: unknown[], what: string) => Promise<Row[]>;
type Op = <T>(body: (now: number) => Promise<T>) => Promise<T>;

/**
 * `audit.follow` on PostgreSQL (migrations 6 and 7): `cloudmfa_audit_follow` reads one organisation's
 * rows (`o`, its SQL literal) by seq under that organisation's exclusive advisory lock, which
 * every append of the organisation holds shared from before it takes its seq to its commit, so
 * no row can later appear before a position already handed out.
 */
export function postgresFollow(quoted: string, o: string, op: Op, q: Query): (options: AuditFollowOptions) => Promise<AuditFollowPage> {
  const follow = statement(`SELECT r_seq AS seq, r_at AS at, r_kind AS kind, r_enrolment_id AS enrolment_id, r_user_id AS user_id, r_detail AS detail
FROM ${quoted}.cloudmfa_audit_follow(${o}, $1::bigint, $2::integer)`);
  return (options) =>
    op(async () => {
      const { after, limit } = normalizeAuditFollow(options);
      const rows = await q(follow, [decodeSeqPosition(after), limit], 'audit follow');
      return { events: rows.map((r) => ({ ...toEvent(r), position: String(int(r, 'seq')) })) };
    });
}

function toRecord(r: Row): WebhookStateRecord {
  return { endpointId: text(r, 'endpoint_id'), state: parseJsonObject(r.state, 'state'), version: int(r, 'version'), updatedAt: int(r, 'updated_at') };
}

/** Webhook endpoint state of one organisation (`o`, its SQL literal) on PostgreSQL: one conditional statement per write. */
export function postgresWebhooks(quoted: string, o: string, op: Op, q: Query): WebhookStateStore {
  const table = `${quoted}.cloudmfa_webhook_state`;
  const cols = 'endpoint_id, state, version, updated_at';
  const key = `org = ${o} AND endpoint_id = $1`;
  const get = statement(`SELECT ${cols} FROM ${table} WHERE ${key}`);
  const create = statement(`INSERT INTO ${table} (org, ${cols}) VALUES (${o}, $1, $2::json, 1, $3::bigint)
ON CONFLICT (org, endpoint_id) DO NOTHING RETURNING ${cols}`);
  const update = statement(`UPDATE ${table} SET state = $2::json, version = version + 1, updated_at = $3::bigint
WHERE ${key} AND version = $4::bigint RETURNING ${cols}`);
  return {
    get: (endpointId) =>
      op(async () => {
        assertStorageId(endpointId, 'endpointId');
        const rows = await q(get, [endpointId], 'webhook state read');
        return rows[0] ? toRecord(rows[0]) : null;
      }),
    put: (input) =>
      op(async (now) => {
        const w = normalizeWebhookPut(input);
        const rows =
          w.expectedVersion === null
            ? await q(create, [w.endpointId, w.state, now], 'webhook state write')
            : await q(update, [w.endpointId, w.state, now, w.expectedVersion], 'webhook state write');
        if (rows[0]) return { ok: true as const, record: toRecord(rows[0]) };
        const cur = await q(get, [w.endpointId], 'webhook state read');
        return { ok: false as const, reason: 'version_mismatch' as const, record: cur[0] ? toRecord(cur[0]) : null };
      }),
  };
}
