import { storageError } from './errors.js';
import { STORAGE_LIMITS } from './limits.js';
import { assertStorageId, resolveLimit, serializeJsonObject } from './validate.js';

const invalid = (m: string) => storageError('ERR_STORAGE_INVALID', m);

/**
 * Validated `audit.follow` input: `after` is still the adapter's opaque position (or `null`).
 *
 * @example
 * ```ts
 * const f: NormalizedAuditFollow = normalizeAuditFollow({ after: null }); // f.limit === 100
 * ```
 */
export interface NormalizedAuditFollow {
  after: string | null;
  limit: number;
}

/**
 * Validates `audit.follow` input (the position's own format is the adapter's to check, for
 * example with {@link decodeSeqPosition}).
 *
 * @example
 * ```ts
 * const { after, limit } = normalizeAuditFollow(options);
 * ```
 */
export function normalizeAuditFollow(options: unknown): NormalizedAuditFollow {
  if (typeof options !== 'object' || options === null) throw invalid('"options" expected { after, limit? }');
  const o = options as Record<string, unknown>;
  const after = o.after ?? null;
  if (after !== null && (typeof after !== 'string' || after.length === 0 || after.length > STORAGE_LIMITS.cursorLength)) {
    throw invalid('"after" expected a position from an earlier read, or null');
  }
  return { after: after as string | null, limit: resolveLimit(o.limit, 'limit') };
}

/**
 * Decodes a position of an adapter that orders its log by an integer insertion sequence (the
 * position is that sequence in decimal, the event's `id`); `0` for `null`.
 *
 * @example
 * ```ts
 * const seq = decodeSeqPosition(after); // 'SELECT ... WHERE seq > ? ORDER BY seq'
 * ```
 */
export function decodeSeqPosition(after: string | null): number {
  if (after === null) return 0;
  const seq = /^\d{1,16}$/.test(after) ? Number(after) : NaN;
  if (!Number.isSafeInteger(seq)) throw invalid('"after" expected a position from an earlier read, or null');
  return seq;
}

/**
 * Validated `webhooks.put` input, the state serialized.
 *
 * @example
 * ```ts
 * const w: NormalizedWebhookPut = normalizeWebhookPut({ endpointId: 'siem', state: {}, expectedVersion: null }); // w.state === '{}'
 * ```
 */
export interface NormalizedWebhookPut {
  endpointId: string;
  state: string;
  expectedVersion: number | null;
}

/**
 * Validates `webhooks.put` input.
 *
 * @example
 * ```ts
 * const { endpointId, state, expectedVersion } = normalizeWebhookPut(input);
 * ```
 */
export function normalizeWebhookPut(input: unknown): NormalizedWebhookPut {
  if (typeof input !== 'object' || input === null) throw invalid('"input" expected { endpointId, state, expectedVersion }');
  const i = input as Record<string, unknown>;
  assertStorageId(i.endpointId, 'endpointId');
  const state = serializeJsonObject(i.state, 'state', STORAGE_LIMITS.webhookStateBytes);
  const v = i.expectedVersion;
  if (v !== null && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) {
    throw invalid('"expectedVersion" expected a version read (an integer >= 1) or null');
  }
  return { endpointId: i.endpointId, state, expectedVersion: v };
}
