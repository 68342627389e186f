// The store factory of the two-process race (runConsumeRace from @cloudmfa/storage/testing):
// each worker process imports this module and opens its own connection. It runs in plain
// Node, so it uses the BUILT adapter (`npx tsup` in packages/storage-redis first).
import { createRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import { Cluster, Redis } from 'ioredis';

export default async function open({ config, clock }) {
  const client =
    config.kind === 'cluster'
      ? new Cluster(config.ports.map((port) => ({ host: '127.0.0.1', port })), { redisOptions: { ...RECOMMENDED_REDIS_OPTIONS } })
      : new Redis({ host: '127.0.0.1', port: 6379, ...RECOMMENDED_REDIS_OPTIONS });
  // Connected (and, for a cluster, the slot map loaded) before READY, so the start is fair.
  await client.ping();
  return createRedisStore({ client, keyPrefix: config.keyPrefix, clock, closeClient: true });
}
