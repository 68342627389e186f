import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRedisStore, dropRedisStore, RECOMMENDED_REDIS_OPTIONS, type RedisStoreOptions } from '@cloudmfa/storage-redis';
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

/**
 * A fresh store on its own prefix and client (`extra`: more ioredis options; `store`: more
 * store options), and the cleanup that drops the prefix.
 */
export async function freshStore(admin: Redis, clock: Clock, tag: string, extra: Record<string, unknown> = {}, store: Partial<RedisStoreOptions> = {}) {
  const keyPrefix = uniquePrefix(tag);
  await dropRedisStore({ client: admin, keyPrefix });
  const client = newClient(extra);
  const made = createRedisStore({ ...store, client, keyPrefix, clock, closeClient: true });
  return {
    store: made,
    client,
    keyPrefix,
    cleanup: async () => {
      await dropRedisStore({ client: admin, keyPrefix });
    },
  };
}


/** Spawned processes use the built adapter: fail clearly when it is missing. */
export function assertBuilt(): void {
  for (const rel of ['../dist/index.js', '../../storage/dist/raceWorker.js']) {
    if (!existsSync(fileURLToPath(new URL(rel, import.meta.url)))) {
      throw new Error(`${rel} is missing: build first (npx tsup in packages/storage-redis and packages/storage)`);
    }
  }
}

/** The race factory module for runConsumeRace. */
export const raceFactory = fileURLToPath(new URL('./raceFactory.mjs', import.meta.url));

/**
 * Every key under a prefix with its type, contents and whether it has a TTL, with the prefix
 * cut off the names: two stores on different prefixes compare equal when their data does.
 */
export async function rawSnapshot(client: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of await keysUnder(client, prefix)) {
    const type = await client.type(key);
    let value: unknown;
    if (type === 'hash') value = Object.fromEntries(Object.entries(await client.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : 1)));
    else if (type === 'zset') value = await client.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'stream') value = await client.xrange(key, '-', '+');
    else if (type === 'string') value = await client.get(key);
    else value = `unexpected type ${type}`;
    const ttl = await client.pttl(key);
    out[key.slice(prefix.length)] = { type, value, ttl: ttl > 0 ? 'ttl' : 'none' };
  }
  return out;
}

/** `client` seen through a proxy that counts its EVALSHA calls (`calls.evalsha`) and HGETALL/HDEL calls. */
export function countingClient(client: Redis): { client: Redis; calls: Record<'evalsha' | 'hgetall' | 'hdel', number> } {
  const calls = { evalsha: 0, hgetall: 0, hdel: 0 };
  const proxy = new Proxy(client, {
    get(target, key) {
      const v = Reflect.get(target, key) as unknown;
      if (typeof v !== 'function') return v;
      if (key === 'evalsha' || key === 'hgetall' || key === 'hdel') {
        return (...args: unknown[]) => {
          calls[key]++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return v.bind(target);
    },
  });
  return { client: proxy, calls };
}
