import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './_context.js';

/** Every key matching `pattern`, on every master of a cluster, with SCAN (never KEYS). */
export async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  const found = new Set<string>();
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) found.add(k);
    } while (cursor !== '0');
  }
  return [...found];
}
