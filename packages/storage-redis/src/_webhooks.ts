import type { AuditFollowOptions, AuditFollowPage, WebhookStateRecord, WebhookStateStore } from '@cloudmfa/storage';
import { assertStorageId, normalizeAuditFollow, normalizeWebhookPut, parseJsonObject, storageError } from '@cloudmfa/storage/adapter';
import { decodeAuditEntry } from './_codec.js';
import type { StoreContext } from './_context.js';
import { auditAllKey } from './_keys.js';
import { script } from './_scripts.js';

const corrupt = () => storageError('ERR_STORAGE_CORRUPT', 'a stored webhook state does not decode');
const POSITION = /^(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})$/;

/**
 * The state of one webhook endpoint of an organisation (hash: s state JSON, v version, t
 * updatedAt), all in one slot per organisation; `p` is the organisation's key head (_keys.ts),
 * and `:ep:` keeps it apart from the keys of an enrolment whose id is `wh`.
 */
const webhookKey = (p: string, endpointId: string) => `${p}wh}:ep:${endpointId}`;

// Compare-and-set on the version: ARGV[1] the expected version ('' = create only), ARGV[2] the
// state JSON, ARGV[3] now. Returns {1, s, v, t} when written, {0, s, v, t} (false when absent)
// when not.
const WEBHOOK_PUT = script(
  'webhooks.put',
  `
local cur = redis.call('HMGET', KEYS[1], 's', 'v', 't')
local v = cur[2]
if (ARGV[1] == '' and v) or (ARGV[1] ~= '' and v ~= ARGV[1]) then
  return {0, cur[1], cur[2], cur[3]}
end
local nv = 1
if v then
  if not tonumber(v) then return {0, cur[1], cur[2], cur[3]} end
  nv = tonumber(v) + 1
end
local sv = string.format('%.0f', nv)
redis.call('HSET', KEYS[1], 's', ARGV[2], 'v', sv, 't', ARGV[3])
return {1, ARGV[2], sv, ARGV[3]}
`,
);

function toRecord(endpointId: string, s: unknown, v: unknown, t: unknown): WebhookStateRecord {
  const version = typeof v === 'string' && /^[1-9][0-9]{0,15}$/.test(v) ? Number(v) : NaN;
  const updatedAt = typeof t === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(version) || !Number.isSafeInteger(updatedAt)) throw corrupt();
  return { endpointId, state: parseJsonObject(s, 'state'), version, updatedAt };
}

/**
 * `audit.follow` on Redis: the `all` stream read forward from a stream id. The append script
 * assigns ids in increasing order inside one script run, so the stream order is final.
 */
export function redisFollow(ctx: StoreContext): (options: AuditFollowOptions) => Promise<AuditFollowPage> {
  return (options) =>
    ctx.op(async () => {
      const { after, limit } = normalizeAuditFollow(options);
      if (after !== null && !POSITION.test(after)) throw storageError('ERR_STORAGE_INVALID', '"after" expected a position from an earlier read, or null');
      const entries = (await ctx.client.xrange(auditAllKey(ctx.prefix), after === null ? '-' : `(${after}`, '+', 'COUNT', limit)) as unknown[];
      return {
        events: entries.map((entry) => {
          const e = decodeAuditEntry(entry);
          return { ...e, position: e.id };
        }),
      };
    });
}

/** Webhook endpoint state on Redis: one hash per endpoint, written by a compare-and-set script. */
export function redisWebhooks(ctx: StoreContext): WebhookStateStore {
  return {
    get: (endpointId) =>
      ctx.op(async () => {
        assertStorageId(endpointId, 'endpointId');
        const [s, v, t] = await ctx.client.hmget(webhookKey(ctx.prefix, endpointId), 's', 'v', 't');
        return v === null ? null : toRecord(endpointId, s, v, t);
      }),
    put: (input) =>
      ctx.op(async (now) => {
        const w = normalizeWebhookPut(input);
        const reply = await ctx.run(WEBHOOK_PUT, [webhookKey(ctx.prefix, w.endpointId)], [w.expectedVersion === null ? '' : String(w.expectedVersion), w.state, String(now)]);
        if (!Array.isArray(reply) || (reply[0] !== 0 && reply[0] !== 1)) throw corrupt();
        const [written, s, v, t] = reply as [number, unknown, unknown, unknown];
        if (written === 1) return { ok: true as const, record: toRecord(w.endpointId, s, v, t) };
        return { ok: false as const, reason: 'version_mismatch' as const, record: v === null || v === undefined || v === false ? null : toRecord(w.endpointId, s, v, t) };
      }),
  };
}
