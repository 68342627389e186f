/**
 * The ioredis options the adapter's failure semantics assume (docs/storage-redis.md,
 * section 6). With ioredis' default `autoResendUnfulfilledCommands: true`, a script whose
 * reply was lost to a dropped connection is sent again after the reconnect, and its first run
 * may already have been applied: a successful redemption would come back as
 * `already_active`, an accepted code as `replayed`, a failure would count twice. With these
 * options such a call rejects `ERR_STORAGE_UNAVAILABLE` instead, meaning "applied completely
 * or not at all"; the caller decides whether to retry.
 *
 * For a Cluster pass them as `redisOptions`.
 *
 * @example
 * ```ts
 * import { Cluster, Redis } from 'ioredis';
 * const client = new Redis({ host: '10.0.0.5', ...RECOMMENDED_REDIS_OPTIONS });
 * const cluster = new Cluster(nodes, { redisOptions: { ...RECOMMENDED_REDIS_OPTIONS } });
 * ```
 */
export const RECOMMENDED_REDIS_OPTIONS: Readonly<{ autoResendUnfulfilledCommands: false; maxRetriesPerRequest: number }> = Object.freeze({
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 1,
});
