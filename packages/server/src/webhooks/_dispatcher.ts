// The webhook dispatcher (docs/server.md section 13). It delivers the durable, ordered audit log
// itself: each endpoint keeps a position in the log, in the store, moved forward by
// compare-and-set after each delivery. So a restart loses nothing (the position is in the store),
// every retry of an event carries the same webhook-id (derived from the audit event id), and of
// dispatchers racing for an endpoint one holds it (a lease in the same record).
import { bytesToHex, type Clock, type CryptoProvider, type RandomSource, utf8Encode } from '@cloudmfa/core';
import { DEFAULT_ORGANISATION_ID } from '@cloudmfa/storage';
import type { AuditFollowOptions, AuditFollowPage, FollowedAuditEvent, JsonObject, OrganisationScope, WebhookStateStore } from '@cloudmfa/storage';
import { serverError } from '../internal/errors.js';
import { encodeBase64, parseWebhookSecret, signWebhook } from './_signature.js';
import type { DeliverWebhooksResult, WebhookEndpoint, WebhookEndpointStatus, WebhookErrorReason, WebhookFailure, WebhookOptions, WebhookPayload } from './types.js';

/** The Standard Webhooks schedule: the waits before attempts 2..8. */
const DEFAULT_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const KEPT_FAILURES = 20;
const ENDPOINT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const KIND = /^(?:[a-z][a-z0-9_]*\.)*(?:[a-z][a-z0-9_]*|\*)$/;

/** The audit kinds (with their detail) that are risk events (docs/server.md section 6). */
function isRiskEvent(kind: string, detail: JsonObject): boolean {
  if (kind === 'enrolment.double_redemption' || kind === 'enrolment.tampered' || kind === 'otp.locked' || kind === 'push.suspicious') return true;
  return kind === 'enrolment.revoked' && detail.reason === 'redemption_failures';
}

interface Endpoint {
  id: string;
  url: string;
  keys: Uint8Array[];
  kinds: readonly string[] | null;
  risk: boolean;
  latest: boolean;
}

interface State {
  position: string | null;
  attempts: number;
  nextAttemptAt: number | null;
  lease: { owner: string; until: number } | null;
  lastError: WebhookEndpointStatus['lastError'];
  delivered: number;
  failed: number;
  failures: WebhookFailure[];
}

const EMPTY: State = { position: null, attempts: 0, nextAttemptAt: null, lease: null, lastError: null, delivered: 0, failed: 0, failures: [] };

/** The stored state, or the empty one for a state this release did not write. */
function readState(json: JsonObject | undefined): State {
  if (!json) return { ...EMPTY };
  const s = json as unknown as Partial<State>;
  return {
    position: typeof s.position === 'string' ? s.position : null,
    attempts: Number.isSafeInteger(s.attempts) ? (s.attempts as number) : 0,
    nextAttemptAt: Number.isSafeInteger(s.nextAttemptAt) ? (s.nextAttemptAt as number) : null,
    lease: s.lease && typeof s.lease.owner === 'string' && Number.isSafeInteger(s.lease.until) ? s.lease : null,
    lastError: s.lastError ?? null,
    delivered: Number.isSafeInteger(s.delivered) ? (s.delivered as number) : 0,
    failed: Number.isSafeInteger(s.failed) ? (s.failed as number) : 0,
    failures: Array.isArray(s.failures) ? s.failures : [],
  };
}

function resolveEndpoint(e: WebhookEndpoint, i: number): Endpoint {
  const at = `"webhooks.endpoints[${i}]`;
  if (typeof e !== 'object' || e === null) throw serverError('ERR_SERVER_CONFIG', `${at}" expected { id, url, secret }`);
  if (typeof e.id !== 'string' || !ENDPOINT_ID.test(e.id)) throw serverError('ERR_SERVER_CONFIG', `${at}.id" expected 1..128 characters of [A-Za-z0-9_-]`);
  let url: URL | null = null;
  try {
    url = typeof e.url === 'string' && e.url.length <= 2048 ? new URL(e.url) : null;
  } catch {
    url = null;
  }
  // The URL is not quoted: it may carry a token of the receiver's.
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw serverError('ERR_SERVER_CONFIG', `${at}.url" expected an http(s) URL without credentials`);
  }
  const secrets = typeof e.secret === 'string' ? [e.secret] : e.secret;
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.length > 4) {
    throw serverError('ERR_SERVER_CONFIG', `${at}.secret" expected whsec_<base64 of 24..64 bytes>, or 1..4 of them`);
  }
  const keys = secrets.map((s) => {
    const key = parseWebhookSecret(s);
    // The secret itself is never quoted.
    if (!key) throw serverError('ERR_SERVER_CONFIG', `${at}.secret" expected whsec_<base64 of 24..64 bytes>`);
    return key;
  });
  const f = e.events;
  if (f !== undefined && (typeof f !== 'object' || f === null)) throw serverError('ERR_SERVER_CONFIG', `${at}.events" expected { kinds?, risk? }`);
  const kinds = f?.kinds ?? null;
  if (kinds !== null && (!Array.isArray(kinds) || kinds.some((k) => typeof k !== 'string' || k.length > 64 || !KIND.test(k)))) {
    throw serverError('ERR_SERVER_CONFIG', `${at}.events.kinds" expected audit kinds ('otp.locked') or families ('push.*')`);
  }
  if (f?.risk !== undefined && typeof f.risk !== 'boolean') throw serverError('ERR_SERVER_CONFIG', `${at}.events.risk" expected a boolean`);
  if (e.from !== undefined && e.from !== 'oldest' && e.from !== 'latest') throw serverError('ERR_SERVER_CONFIG', `${at}.from" expected 'oldest' or 'latest'`);
  const all = kinds === null && f?.risk === undefined;
  return { id: e.id, url: url.href, keys, kinds: all ? null : (kinds ?? []), risk: all || f?.risk === true, latest: e.from === 'latest' };
}

function wants(ep: Endpoint, kind: string, risk: boolean): boolean {
  if (ep.kinds === null) return true;
  if (risk && ep.risk) return true;
  return ep.kinds.some((k) => k === kind || (k.endsWith('.*') && kind.startsWith(k.slice(0, -1))));
}

/**
 * The webhook-id of an event: the same for every attempt, every dispatcher, every restart; an
 * organisation other than the default one is named in it (event ids are unique per organisation
 * only, and one receiver may serve several).
 */
const webhookIdOf = (organisationId: string, e: FollowedAuditEvent) => (organisationId === DEFAULT_ORGANISATION_ID ? `msg_${e.id}` : `msg_${organisationId}_${e.id}`);

export interface WebhookDispatcher {
  deliver(options?: { limit?: number }): Promise<DeliverWebhooksResult>;
  status(): Promise<WebhookEndpointStatus[]>;
}

/** Builds the dispatcher of `createMfaServer({ webhooks })`; throws `ERR_SERVER_CONFIG` on bad options. */
export function createWebhookDispatcher(init: {
  options: WebhookOptions;
  /** The organisation's own stores (its audit log and endpoint state). */
  store: Pick<OrganisationScope, 'audit' | 'webhooks'>;
  organisationId: string;
  clock: Clock;
  random: RandomSource;
  crypto: CryptoProvider;
}): WebhookDispatcher {
  const { options, store, organisationId, clock, random, crypto } = init;
  if (typeof options !== 'object' || options === null || !Array.isArray(options.endpoints)) {
    throw serverError('ERR_SERVER_CONFIG', '"webhooks" expected { endpoints: [...] }');
  }
  const endpoints = options.endpoints.map(resolveEndpoint);
  if (new Set(endpoints.map((e) => e.id)).size !== endpoints.length) throw serverError('ERR_SERVER_CONFIG', '"webhooks.endpoints" expected distinct ids');
  const { retryScheduleMs = DEFAULT_SCHEDULE_MS, timeoutMs = 15_000 } = options;
  if (!Array.isArray(retryScheduleMs) || retryScheduleMs.length > 20 || retryScheduleMs.some((ms) => !Number.isSafeInteger(ms) || ms < 0 || ms > 7 * 86_400_000)) {
    throw serverError('ERR_SERVER_CONFIG', '"webhooks.retryScheduleMs" expected at most 20 waits, each an integer in [0, 7 days] ms');
  }
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) throw serverError('ERR_SERVER_CONFIG', '"webhooks.timeoutMs" expected an integer in [1, 120000]');
  const { leaseMs = 4 * timeoutMs } = options;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 2 * timeoutMs || leaseMs > 3_600_000) {
    throw serverError('ERR_SERVER_CONFIG', '"webhooks.leaseMs" expected an integer in [2 x timeoutMs, 3600000]');
  }
  const send = options.fetch ?? (globalThis.fetch as NonNullable<WebhookOptions['fetch']> | undefined);
  if (typeof send !== 'function') throw serverError('ERR_SERVER_CONFIG', '"webhooks.fetch" expected a fetch function (none is global here)');
  const maxAttempts = retryScheduleMs.length + 1;
  const now = () => Math.floor(clock());

  const feed = (): { follow: (o: AuditFollowOptions) => Promise<AuditFollowPage>; webhooks: WebhookStateStore } => {
    const follow = store.audit.follow;
    if (!follow || !store.webhooks) throw serverError('ERR_SERVER_CONFIG', '"store" has no audit.follow or webhooks: webhook delivery needs both');
    return { follow: follow.bind(store.audit), webhooks: store.webhooks };
  };

  /** A wait from the schedule with +-20 % jitter drawn from the injected random. */
  const backoff = (attempts: number) => {
    const base = retryScheduleMs[Math.min(attempts, retryScheduleMs.length) - 1] ?? 0;
    const r = random(4);
    const u = ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0;
    return Math.round(base * (0.8 + (0.4 * u) / 2 ** 32));
  };

  /** One POST; never throws, never reports the URL or an error's words. */
  async function post(ep: Endpoint, event: FollowedAuditEvent): Promise<{ ok: true } | { ok: false; status: number | null; reason: WebhookErrorReason }> {
    const risk = isRiskEvent(event.kind, event.detail);
    const payload: WebhookPayload = {
      organisationId,
      type: event.kind,
      timestamp: new Date(event.at).toISOString(),
      data: { id: event.id, at: event.at, kind: event.kind, enrolmentId: event.enrolmentId, userId: event.userId, risk, detail: event.detail },
    };
    const body = utf8Encode(JSON.stringify(payload));
    const id = webhookIdOf(organisationId, event);
    const ts = Math.floor(now() / 1000);
    const signature = ep.keys.map((k) => `v1,${encodeBase64(signWebhook(crypto, k, id, ts, body))}`).join(' ');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await send!(ep.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature, 'user-agent': 'CloudMFA-Webhooks/1' },
        body: body as Uint8Array<ArrayBuffer>,
        redirect: 'manual',
        signal: controller.signal,
      });
      // The answer's body is not read (only its status counts).
      await res.body?.cancel().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? { ok: true } : { ok: false, status: res.status, reason: 'status' };
    } catch {
      return { ok: false, status: null, reason: controller.signal.aborted ? 'timeout' : 'network' };
    } finally {
      clearTimeout(timer);
    }
  }

  type Outcome = { delivered: number; failed: number; retrying: boolean; busy: boolean; more: boolean };

  async function deliverEndpoint(ep: Endpoint, limit: number): Promise<Outcome> {
    const { follow, webhooks } = feed();
    // The name of this pass in the lease: fresh per pass, so that two passes of one server
    // (overlapping calls) exclude each other as two servers do.
    const owner = bytesToHex(random(16));
    const out: Outcome = { delivered: 0, failed: 0, retrying: false, busy: false, more: false };
    const rec = await webhooks.get(ep.id);
    const state = readState(rec?.state);
    const t0 = now();
    if (state.lease && state.lease.until > t0) return { ...out, busy: true };
    if (state.nextAttemptAt !== null && t0 < state.nextAttemptAt) return { ...out, retrying: true };
    let version = rec?.version ?? null;
    // Every write renews the lease; one that loses the compare-and-set means another dispatcher
    // took the endpoint (after our lease ran out): stop, it goes on from the recorded position.
    const write = async (s: State): Promise<boolean> => {
      const r = await webhooks.put({ endpointId: ep.id, state: s as unknown as JsonObject, expectedVersion: version });
      if (!r.ok) return false;
      version = r.record.version;
      return true;
    };
    const lease = () => ({ owner, until: now() + leaseMs });
    if (!(await write({ ...state, lease: lease() }))) return { ...out, busy: true };
    if (rec === null && ep.latest) {
      // A new endpoint that starts at the end of the log: skip the history, once.
      for (;;) {
        const { events } = await follow({ after: state.position, limit: 1000 });
        const last = events[events.length - 1];
        if (last) state.position = last.position;
        if (events.length < 1000) break;
      }
      if (!(await write({ ...state, lease: lease() }))) return out;
    }
    let sent = 0;
    for (;;) {
      const { events } = await follow({ after: state.position, limit: Math.min(100, limit - sent + 1) });
      if (events.length === 0) break;
      let skipped = false;
      for (const event of events) {
        if (!wants(ep, event.kind, isRiskEvent(event.kind, event.detail))) {
          state.position = event.position;
          skipped = true;
          continue;
        }
        if (sent === limit) {
          out.more = true;
          break;
        }
        sent++;
        const r = await post(ep, event);
        const at = now();
        if (r.ok) {
          Object.assign(state, { position: event.position, attempts: 0, nextAttemptAt: null, lastError: null, delivered: state.delivered + 1 });
          out.delivered++;
        } else {
          state.attempts++;
          state.lastError = { at, status: r.status, reason: r.reason };
          if (state.attempts >= maxAttempts) {
            const failure: WebhookFailure = { eventId: event.id, webhookId: webhookIdOf(organisationId, event), type: event.kind, attempts: state.attempts, status: r.status, reason: r.reason, at };
            Object.assign(state, { position: event.position, attempts: 0, nextAttemptAt: null, failed: state.failed + 1, failures: [...state.failures, failure].slice(-KEPT_FAILURES) });
            out.failed++;
          } else {
            // Head-of-line: the endpoint waits for this event's next attempt (order is kept).
            state.nextAttemptAt = at + backoff(state.attempts);
            out.retrying = true;
            await write({ ...state, lease: null });
            return out;
          }
        }
        skipped = false;
        if (!(await write({ ...state, lease: lease() }))) return out;
      }
      if (out.more) break;
      if (skipped && !(await write({ ...state, lease: lease() }))) return out;
    }
    await write({ ...state, lease: null });
    return out;
  }

  return {
    async deliver(opts = {}) {
      if (typeof opts !== 'object' || opts === null) throw serverError('ERR_INVALID_ARGUMENT', '"options" expected an object');
      const limit = opts.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw serverError('ERR_INVALID_ARGUMENT', '"limit" expected an integer in [1, 1000]');
      const results = await Promise.all(endpoints.map((ep) => deliverEndpoint(ep, limit)));
      return {
        delivered: results.reduce((n, r) => n + r.delivered, 0),
        failed: results.reduce((n, r) => n + r.failed, 0),
        retrying: results.filter((r) => r.retrying).length,
        busy: results.filter((r) => r.busy).length,
        more: results.some((r) => r.more),
      };
    },
    async status() {
      const { webhooks } = feed();
      return Promise.all(
        endpoints.map(async (ep) => {
          const s = readState((await webhooks.get(ep.id))?.state);
          return { endpointId: ep.id, position: s.position, attempts: s.attempts, nextAttemptAt: s.nextAttemptAt, lastError: s.lastError, delivered: s.delivered, failed: s.failed, failures: s.failures };
        }),
      );
    },
  };
}
