import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS } from '@cloudmfa/storage-redis';
import type { Clock } from '@cloudmfa/core';
import { Redis } from 'ioredis';

/** The Redis every single-node test talks to. A missing server fails the tests; nothing skips. */
export const REDIS = { host: '127.0.0.1', port: 6379 } as const;

let counter = 0;

/** A key prefix no other test, run or process uses at the same time. */
export function uniquePrefix(tag: string): string {
  counter++;
  return `cmfa-test:${tag}:${process.pid}:${counter}:`;
}

/** A client with the options the adapter's failure semantics assume. */
export function newClient(extra: Record<string, unknown> = {}): Redis {
  return new Redis({ ...REDIS, ...RECOMMENDED_REDIS_OPTIONS, ...extra });
}

/** Every key under a prefix (single node), for assertions about the layout. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out.sort();
}

/** A fresh store on its own prefix and client, and the cleanup that drops the prefix. */
export async function freshStore(admin: Redis, clock: Clock, tag: string) {
  const keyPrefix = uniquePrefix(tag);
  await dropRedisStore({ client: admin, keyPrefix });
  const client = newClient();
  const store = createRedisStore({ client, keyPrefix, clock, closeClient: true });
  return {
    store,
    client,
    keyPrefix,
    cleanup: async () => {
      await dropRedisStore({ client: admin, keyPrefix });
    },
  };
}
