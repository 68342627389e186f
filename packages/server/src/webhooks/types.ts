import type { JsonObject } from '@cloudmfa/storage';

/**
 * One webhook endpoint (docs/server.md section 13). The configuration is the caller's: the
 * store keeps only the delivery state, never the URL or the secret.
 *
 * @example
 * ```ts
 * const siem: WebhookEndpoint = {
 *   id: 'siem',
 *   url: 'https://siem.acme.example/hooks/cloudmfa',
 *   secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
 *   events: { risk: true },
 * };
 * ```
 */
export interface WebhookEndpoint {
  /** A storage id (`[A-Za-z0-9_-]`, 1..128): names the endpoint's delivery state. Keep it when the URL changes. */
  id: string;
  /** `https://...`, or `http://` (for a receiver on a private network or loopback). */
  url: string;
  /**
   * `whsec_<base64 of 24..64 bytes>` (Standard Webhooks). Several during a rotation: each
   * delivery carries one signature per secret, so the receiver can switch at its own pace.
   */
  secret: string | readonly string[];
  /**
   * Which audit events go to this endpoint. Absent: all. `kinds`: these kinds (`'otp.locked'`)
   * or families (`'push.*'`); `risk: true`: every risk event. An event goes when either matches.
   */
  events?: { kinds?: readonly string[]; risk?: boolean };
  /**
   * Where an endpoint the store has no state for starts: `'oldest'` (default: it receives the
   * whole audit log, history included) or `'latest'` (only events appended after its first
   * delivery run). Ignored once the endpoint has state.
   */
  from?: 'oldest' | 'latest';
}

/**
 * The `webhooks` option of `createMfaServer` (docs/server.md section 13).
 *
 * @example
 * ```ts
 * const webhooks: WebhookOptions = {
 *   endpoints: [{ id: 'siem', url: 'https://siem.acme.example/hooks', secret: process.env.SIEM_WEBHOOK_SECRET! }],
 *   timeoutMs: 10_000,
 * };
 * ```
 */
export interface WebhookOptions {
  endpoints: readonly WebhookEndpoint[];
  /**
   * ms to wait before attempt 2, 3, ... of one event; its length + 1 is the number of attempts
   * before the event is given up (recorded in the endpoint's `failures`). Default: the Standard
   * Webhooks schedule 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts over about 27.5 h).
   * Each wait is drawn from [0.8, 1.2] times its value (jitter, from the server's `random`).
   */
  retryScheduleMs?: readonly number[];
  /** ms one delivery may take (connect, send, answer); default 15000, 1..120000. */
  timeoutMs?: number;
  /** ms a dispatcher holds an endpoint without writing progress; default 4 x `timeoutMs`, and at least 2 x `timeoutMs`. */
  leaseMs?: number;
  /** The HTTP client; default `globalThis.fetch`. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/**
 * Result of `server.deliverWebhooks()`.
 *
 * @example
 * ```ts
 * const r: DeliverWebhooksResult = await server.deliverWebhooks();
 * if (r.more) setImmediate(deliverAgain);
 * ```
 */
export interface DeliverWebhooksResult {
  /** Deliveries answered 2xx. */
  delivered: number;
  /** Events given up after the last attempt (each recorded in its endpoint's `failures`). */
  failed: number;
  /** Endpoints whose head event failed and waits for its next attempt. */
  retrying: number;
  /** Endpoints another dispatcher holds right now. */
  busy: number;
  /** True when an endpoint stopped at `limit` with more events after it: call again. */
  more: boolean;
}

/**
 * An event given up after its last attempt, as kept in the endpoint's state (the newest 20).
 *
 * @example
 * ```ts
 * for (const f of (await server.webhookStatus())[0]!.failures) console.log(f.webhookId, f.status ?? f.reason);
 * ```
 */
export interface WebhookFailure {
  /** The audit event's id. */
  eventId: string;
  /** The `webhook-id` it was sent under. */
  webhookId: string;
  type: string;
  attempts: number;
  /** The last HTTP status, or `null` when there was none. */
  status: number | null;
  reason: WebhookErrorReason;
  /** ms of the last attempt. */
  at: number;
}

/**
 * Why a delivery attempt failed: `status` (answered, not 2xx), `timeout`, `network`.
 *
 * @example
 * ```ts
 * const why: WebhookErrorReason = 'timeout';
 * ```
 */
export type WebhookErrorReason = 'status' | 'timeout' | 'network';

/**
 * One endpoint's delivery state, from `server.webhookStatus()`.
 *
 * @example
 * ```ts
 * for (const s of await server.webhookStatus()) if (s.attempts > 0) warn(s.endpointId, s.lastError);
 * ```
 */
export interface WebhookEndpointStatus {
  endpointId: string;
  /** The audit log position delivered up to (opaque), `null` before the first event. */
  position: string | null;
  /** Failed attempts of the event at the head (0 when none is failing). */
  attempts: number;
  /** ms of the head event's next attempt, or `null`. */
  nextAttemptAt: number | null;
  lastError: { at: number; status: number | null; reason: WebhookErrorReason } | null;
  delivered: number;
  failed: number;
  /** The newest 20 given-up events, oldest first. */
  failures: WebhookFailure[];
}

/**
 * The JSON body of every delivery (Standard Webhooks: `type`, `timestamp`, `data`). `data` is
 * the audit event; its `detail` never holds a secret, a code or a seed (docs/server.md section 6).
 *
 * @example
 * ```ts
 * const r = verifyWebhook({ secret, headers: req.headers, body: rawBody });
 * if (r.ok && (r.payload as WebhookPayload).data.risk) page();
 * ```
 */
export interface WebhookPayload {
  /** The organisation whose audit log the event is from (`'default'` for the default one). */
  organisationId: string;
  /** The audit kind, e.g. `push.suspicious`. */
  type: string;
  /** ISO 8601 time of the audit event. */
  timestamp: string;
  data: { id: string; at: number; kind: string; enrolmentId: string | null; userId: string | null; risk: boolean; detail: JsonObject };
}
