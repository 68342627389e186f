import { type Clock, systemClock } from '@cloudmfa/core';
import { type MfaStore, type OrganisationScope } from '@cloudmfa/storage';
import { scopeCache, storageError } from '@cloudmfa/storage/adapter';
import type { Cluster, Redis } from 'ioredis';
import { redisAudit } from './_audit.js';
import { redisWebhooks } from './_webhooks.js';
import { redisChallenges } from './_challenges.js';
import { createContext, type StoreContext } from './_context.js';
import { redisEnrolments } from './_enrolments.js';
import { redisGuard } from './_guard.js';
import { keyHead } from './_keys.js';
import { redisOrganisations } from './_organisations.js';
import { assertClient, assertKeyPrefix, retentionOf } from './_options.js';

const DAY = 24 * 3600 * 1000;

/**
 * Options of {@link createRedisStore}.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = {
 *   client: new Cluster(nodes, { redisOptions: { ...RECOMMENDED_REDIS_OPTIONS } }),
 *   keyPrefix: 'mfa:',
 *   challengeRetentionMs: 3_600_000,
 *   auditRetentionMs: 400 * 24 * 3_600_000,
 * };
 * ```
 */
export interface RedisStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster`, made with {@link RECOMMENDED_REDIS_OPTIONS}. It must not
   * use ioredis' own `keyPrefix` option (use `keyPrefix` here).
   */
  client: Redis | Cluster;
  /**
   * Every key lives on one Redis server: a standalone server or a primary with replicas
   * (Sentinel included), no Redis Cluster and no sharding proxy (twemproxy, Envoy, a sharded
   * managed database) in between. Then `guard.consume` given this store's own `audit` as
   * `auditLog` writes the guard and the audit streams in one script and answers `logged`
   * (docs/storage-redis.md 3.3). Default `false`: the accepted entry goes through the outbox,
   * which is right on every deployment. Refused (`ERR_STORAGE_INVALID`) with an ioredis
   * `Cluster`. Only the operator knows what is behind the connection: set it only when that
   * connection reaches one server holding every key.
   */
  singleServer?: boolean;
  /** Prefix of every key: `^[A-Za-z0-9:._-]{0,64}$`; default `'cloudmfa:'`. One prefix, one isolated store. */
  keyPrefix?: string;
  /** The store clock (ms) for every recorded time and expiry decision; default `systemClock`. */
  clock?: Clock;
  /** `close()` also quits the client (when the store owns it); default `false`. */
  closeClient?: boolean;
  /** How long a pending enrolment stays readable after its expiry before Redis deletes it; default 7 days. */
  pendingEnrolmentRetentionMs?: number;
  /** How long a challenge stays readable after its expiry; default 1 day. */
  challengeRetentionMs?: number;
  /**
   * When set, appends trim the audit streams they write to events newer than `now -
   * auditRetentionMs`, and keep an idempotency key that long (at least 1 ms); default `null`
   * (keep everything).
   */
  auditRetentionMs?: number | null;
}

/**
 * The {@link MfaStore} on Redis or Redis Cluster (ioredis). Every atomic operation is one Lua
 * script on one hash slot (keys are tagged per enrolment, `{enrolmentId}`), so it runs
 * unchanged on a cluster; expiry follows the injected clock, and Redis TTLs, relative to that
 * clock, reclaim expired pending enrolments and challenges after their retention. The audit
 * log is kept in Redis Streams. See docs/storage-redis.md.
 *
 * Throws `ERR_STORAGE_INVALID` for bad options. Operations reject `ERR_STORAGE_UNAVAILABLE`
 * when Redis fails or after `close()`; such an operation was applied completely or not at all.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
 *
 * const store = createRedisStore({
 *   client: new Redis({ host: '127.0.0.1', port: 6379, ...RECOMMENDED_REDIS_OPTIONS }),
 *   keyPrefix: 'mfa:',
 *   closeClient: true,
 * });
 * const r = await store.guard.consume('enr_123', 58_908_123); // { ok: true, state } once
 * await store.close();
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): MfaStore {
  if (typeof options !== 'object' || options === null) throw storageError('ERR_STORAGE_INVALID', '"options" expected an object');
  assertClient(options.client);
  const prefix = options.keyPrefix === undefined ? 'cloudmfa:' : options.keyPrefix;
  assertKeyPrefix(prefix, 'keyPrefix');
  const clock = options.clock ?? systemClock;
  if (typeof clock !== 'function') throw storageError('ERR_STORAGE_INVALID', '"clock" expected a function returning ms');
  const audit = options.auditRetentionMs ?? null;
  const singleServer = options.singleServer === undefined ? false : options.singleServer;
  if (typeof singleServer !== 'boolean') throw storageError('ERR_STORAGE_INVALID', '"singleServer" expected a boolean');
  if (singleServer && options.client.isCluster) {
    throw storageError('ERR_STORAGE_INVALID', '"singleServer" cannot be true with an ioredis Cluster: its keys live on several servers');
  }
  const { ctx, markClosed } = createContext({
    client: options.client,
    prefix,
    clock,
    pendingEnrolmentRetentionMs: retentionOf(options.pendingEnrolmentRetentionMs, 'pendingEnrolmentRetentionMs', 7 * DAY),
    challengeRetentionMs: retentionOf(options.challengeRetentionMs, 'challengeRetentionMs', DAY),
    auditRetentionMs: audit === null ? null : retentionOf(audit, 'auditRetentionMs', 0),
  });
  const closeClient = options.closeClient === true;
  const client = options.client;

  // One set of parts per organisation, each on its own key head (docs/storage.md, "Organisations").
  const drains: (() => Promise<void>)[] = [];
  const scope = (org: string | null): OrganisationScope => {
    const c: StoreContext = { ...ctx, prefix: keyHead(prefix, org) };
    const { drain: drainAudit, ...audit } = redisAudit(c);
    // On one server the guard knows this scope's log: a consume given it as auditLog appends
    // in its own script (docs/storage-redis.md 3.3). Elsewhere it keeps the outbox.
    const { drain, ...guard } = redisGuard(c, singleServer ? audit : undefined);
    const { drain: drainReads, ...enrolments } = redisEnrolments(c);
    drains.push(drain, drainAudit, drainReads);
    return { enrolments, guard, challenges: redisChallenges(c), audit, webhooks: redisWebhooks(c) };
  };
  const root = scope(null);

  return {
    ...root,
    organisations: redisOrganisations(ctx, prefix),
    forOrganisation: scopeCache(root, (org) => scope(org)),
    close: async () => {
      if (!markClosed()) return;
      // Calls accepted before close() still go out (and settle) before the client goes.
      await Promise.all(drains.map((d) => d()));
      if (closeClient) await endClient(client);
    },
  };
}

/** QUIT, then wait until the connection has ended (a gone client is disconnected instead). */
async function endClient(client: Redis | Cluster): Promise<void> {
  if (client.status === 'end') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => client.disconnect(), 5000);
    client.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
    client.quit().catch(() => client.disconnect());
  });
}
