import type { AuditFollowOptions, AuditFollowPage, WebhookStateRecord, WebhookStateStore } from '@cloudmfa/storage';
import { assertStorageId, decodeSeqPosition, normalizeAuditFollow, normalizeWebhookPut, parseJsonObject, storageError } from '@cloudmfa/storage/adapter';
import type { D1Context } from './_context.js';
import { type Row, toEvent } from '@cloudmfa/sqlite-dialect';

// D1 runs one writer at a time (each batch is a transaction on one SQLite database), so `seq`
// order is commit order: the log read forward by seq is final.
const FOLLOW = 'SELECT * FROM cloudmfa_audit WHERE org = $ORG AND seq > ?1 ORDER BY seq LIMIT ?2';
const GET = 'SELECT * FROM cloudmfa_webhook_state WHERE org = $ORG AND endpoint_id = ?1';
const CREATE = `INSERT INTO cloudmfa_webhook_state (org, endpoint_id, state, version, updated_at)
    VALUES ($ORG, ?1, ?2, 1, ?3) ON CONFLICT (org, endpoint_id) DO NOTHING RETURNING *`;
const UPDATE = `UPDATE cloudmfa_webhook_state SET state = ?2, version = version + 1, updated_at = ?3
    WHERE org = $ORG AND endpoint_id = ?1 AND version = ?4 RETURNING *`;

function toRecord(r: Row): WebhookStateRecord {
  const { endpoint_id: id, version, updated_at: at } = r;
  if (typeof id !== 'string' || typeof version !== 'number' || typeof at !== 'number') {
    throw storageError('ERR_STORAGE_CORRUPT', 'a stored webhook state row does not decode');
  }
  return { endpointId: id, state: parseJsonObject(r.state, 'state'), version, updatedAt: at };
}

/** `audit.follow` on D1. */
export function d1Follow(ctx: D1Context): (options: AuditFollowOptions) => Promise<AuditFollowPage> {
  return async (options) => {
    ctx.now();
    const { after, limit } = normalizeAuditFollow(options);
    const [rows = []] = await ctx.batch([ctx.st(FOLLOW, decodeSeqPosition(after), limit)]);
    return {
      events: rows.map((r) => {
        const e = toEvent(r);
        return { ...e, position: e.id };
      }),
    };
  };
}

/** Webhook endpoint state on D1: the conditional write and the read that explains a refusal, in one batch. */
export function d1Webhooks(ctx: D1Context): WebhookStateStore {
  const { st, batch, now } = ctx;
  return {
    get: async (endpointId) => {
      now();
      assertStorageId(endpointId, 'endpointId');
      const [rows = []] = await batch([st(GET, endpointId)]);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    put: async (input) => {
      const t = now();
      const w = normalizeWebhookPut(input);
      const write = w.expectedVersion === null ? st(CREATE, w.endpointId, w.state, t) : st(UPDATE, w.endpointId, w.state, t, w.expectedVersion);
      const [written = [], current = []] = await batch([write, st(GET, w.endpointId)]);
      if (written[0]) return { ok: true as const, record: toRecord(written[0]) };
      return { ok: false as const, reason: 'version_mismatch' as const, record: current[0] ? toRecord(current[0]) : null };
    },
  };
}
