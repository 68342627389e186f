import type { AuditEvent, JsonObject } from './types.js';

/**
 * An audit event read by {@link AuditLog.follow}, with its `position` in the log.
 *
 * @example
 * ```ts
 * const page = await store.audit.follow!({ after: null, limit: 10 });
 * const last: FollowedAuditEvent | undefined = page.events.at(-1);
 * if (last) savedPosition = last.position;
 * ```
 */
export interface FollowedAuditEvent extends AuditEvent {
  /** Opaque (<= 256 characters); pass it back as `after` to read what comes after this event. */
  position: string;
}

/**
 * Options of {@link AuditLog.follow}.
 *
 * @example
 * ```ts
 * const options: AuditFollowOptions = { after: savedPosition, limit: 100 };
 * ```
 */
export interface AuditFollowOptions {
  /** A `position` from an earlier read of the same log, or `null` for the oldest event. */
  after: string | null;
  /** At most this many events; default 100, at most 1000. */
  limit?: number;
}

/**
 * One page of {@link AuditLog.follow}: events in log order, oldest first.
 *
 * @example
 * ```ts
 * const { events }: AuditFollowPage = await store.audit.follow!({ after: null });
 * ```
 */
export interface AuditFollowPage {
  events: FollowedAuditEvent[];
}

/**
 * The delivery state of one webhook endpoint as the store keeps it: an opaque JSON object that
 * the server writes with compare-and-set on `version`.
 *
 * @example
 * ```ts
 * const r: WebhookStateRecord | null = await store.webhooks!.get('siem');
 * console.log(r?.version, r?.state);
 * ```
 */
export interface WebhookStateRecord {
  endpointId: string;
  state: JsonObject;
  /** 1 on create, +1 on every write. */
  version: number;
  /** ms, store clock: the last write. */
  updatedAt: number;
}

/**
 * Input of {@link WebhookStateStore.put}.
 *
 * @example
 * ```ts
 * const input: PutWebhookStateInput = { endpointId: 'siem', state: { position: null }, expectedVersion: null };
 * ```
 */
export interface PutWebhookStateInput {
  /** A storage id (`[A-Za-z0-9_-]`, 1..128). */
  endpointId: string;
  /** At most `STORAGE_LIMITS.webhookStateBytes` serialized; never secret material. */
  state: JsonObject;
  /** The version read; `null`: create, only when the endpoint has no state yet. */
  expectedVersion: number | null;
}

/**
 * Result of {@link WebhookStateStore.put}.
 *
 * @example
 * ```ts
 * const r: PutWebhookStateResult = await store.webhooks!.put({ endpointId, state, expectedVersion: 3 });
 * if (!r.ok) console.log('another dispatcher wrote version', r.record?.version);
 * ```
 */
export type PutWebhookStateResult =
  | { ok: true; record: WebhookStateRecord }
  | { ok: false; reason: 'version_mismatch'; record: WebhookStateRecord | null };

/**
 * Per-endpoint webhook delivery state (docs/server.md, "Webhooks"): one small record per
 * endpoint, written only by compare-and-set, so that of dispatchers racing for an endpoint
 * exactly one wins each write.
 *
 * @example
 * ```ts
 * const cur = await store.webhooks!.get('siem');
 * const r = await store.webhooks!.put({ endpointId: 'siem', state: { position: 'p1' }, expectedVersion: cur?.version ?? null });
 * ```
 */
export interface WebhookStateStore {
  /** The record, or `null` when never written. */
  get(endpointId: string): Promise<WebhookStateRecord | null>;
  /** Atomic compare-and-set on `version`: of concurrent writes with the same `expectedVersion`, exactly one succeeds. */
  put(input: PutWebhookStateInput): Promise<PutWebhookStateResult>;
}
