import { storageError } from '@cloudmfa/storage/adapter';
import type { RedisClient } from './_context.js';

const PREFIX_RE = /^[A-Za-z0-9:._-]{0,64}$/;
const DAY = 24 * 3600 * 1000;
/** Largest retention option: ten years. */
const MAX_RETENTION_MS = 3650 * DAY;

const invalid = (m: string) => storageError('ERR_STORAGE_INVALID', m);

/** A key prefix: `^[A-Za-z0-9:._-]{0,64}$` (no braces: it must never become a hash tag). */
export function assertKeyPrefix(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !PREFIX_RE.test(value)) throw invalid(`"${field}" expected 0..64 characters of [A-Za-z0-9:._-]`);
}

/** A retention in ms: an integer in `[0, 3650 days]`. */
export function retentionOf(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_RETENTION_MS) {
    throw invalid(`"${field}" expected an integer number of ms in [0, ${MAX_RETENTION_MS}]`);
  }
  return value;
}

/**
 * An ioredis Redis or Cluster without ioredis' own `keyPrefix` option: the scripts build key
 * names from arguments, which ioredis would not prefix, so the store's keyPrefix is the only
 * prefix allowed.
 */
export function assertClient(value: unknown): asserts value is RedisClient {
  const c = value as { evalsha?: unknown; eval?: unknown; options?: { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } } } | null;
  if (typeof c !== 'object' || c === null || typeof c.evalsha !== 'function' || typeof c.eval !== 'function') {
    throw invalid('"client" expected an ioredis Redis or Cluster instance');
  }
  if (c.options?.keyPrefix || c.options?.redisOptions?.keyPrefix) {
    throw invalid('"client" must not set the ioredis keyPrefix option: use the store\'s "keyPrefix" instead');
  }
}
