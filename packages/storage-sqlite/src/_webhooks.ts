import type { WebhookStateRecord, WebhookStateStore } from '@cloudmfa/storage';
import { assertStorageId, normalizeWebhookPut, parseJsonObject, storageError } from '@cloudmfa/storage/adapter';
import { type SqliteContext } from './_context.js';
import type { Row } from '@cloudmfa/sqlite-dialect';

const corrupt = () => storageError('ERR_STORAGE_CORRUPT', 'a stored webhook state row does not decode');

function toRecord(r: Row): WebhookStateRecord {
  const { endpoint_id: id, version, updated_at: at } = r;
  if (typeof id !== 'string' || typeof version !== 'number' || typeof at !== 'number') throw corrupt();
  return { endpointId: id, state: parseJsonObject(r.state, 'state'), version, updatedAt: at };
}

/**
 * Webhook endpoint state (docs/storage.md 7.2): one row per endpoint of the organisation; a write is one
 * conditional statement on `version`, so of racing writers exactly one applies.
 */
export function sqliteWebhooks(ctx: SqliteContext): WebhookStateStore {
  const { runner, q, now, org } = ctx;
  const get = q('SELECT * FROM cloudmfa_webhook_state WHERE org = @org AND endpoint_id = @endpointId');
  const create = q(`INSERT INTO cloudmfa_webhook_state (org, endpoint_id, state, version, updated_at)
      VALUES (@org, @endpointId, @state, 1, @now) ON CONFLICT (org, endpoint_id) DO NOTHING RETURNING *`);
  const update = q(`UPDATE cloudmfa_webhook_state SET state = @state, version = version + 1, updated_at = @now
      WHERE org = @org AND endpoint_id = @endpointId AND version = @expectedVersion RETURNING *`);
  return {
    get: async (endpointId) => {
      now();
      assertStorageId(endpointId, 'endpointId');
      return runner.read(() => {
        const r = get.get({ org, endpointId }) as Row | undefined;
        return r ? toRecord(r) : null;
      });
    },
    put: async (input) => {
      const t = now();
      const w = normalizeWebhookPut(input);
      return runner.write(() => {
        const written = (w.expectedVersion === null ? create.get({ ...w, org, now: t }) : update.get({ ...w, org, now: t })) as Row | undefined;
        if (written) return { ok: true as const, record: toRecord(written) };
        const r = get.get({ org, endpointId: w.endpointId }) as Row | undefined;
        return { ok: false as const, reason: 'version_mismatch' as const, record: r ? toRecord(r) : null };
      });
    },
  };
}
