import { storageError } from '@cloudmfa/storage/adapter';
import type { Cluster, Redis } from 'ioredis';
import { toStorageError } from './_context.js';
import { assertClient, assertKeyPrefix } from './_options.js';

/**
 * Deletes every key of the store with this `keyPrefix` (each key of the adapter is
 * `<prefix>{<tag>}...`), on every master of a cluster, with SCAN and UNLINK: it never blocks
 * the server, and a store with a longer prefix (`mfa:1` vs `mfa:10`) is untouched. Returns
 * how many keys it deleted. For removing a tenant and for test cleanup; stop the stores
 * using the prefix first. The empty prefix is refused (`ERR_STORAGE_INVALID`), so this never
 * empties a whole database.
 *
 * @example
 * ```ts
 * const removed = await dropRedisStore({ client, keyPrefix: 'tenant-42:' });
 * ```
 */
export async function dropRedisStore(options: { client: Redis | Cluster; keyPrefix: string }): Promise<number> {
  if (typeof options !== 'object' || options === null) throw storageError('ERR_STORAGE_INVALID', '"options" expected an object');
  assertClient(options.client);
  assertKeyPrefix(options.keyPrefix, 'keyPrefix');
  if (options.keyPrefix === '') throw storageError('ERR_STORAGE_INVALID', '"keyPrefix" must not be empty');
  const client = options.client;
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  let removed = 0;
  try {
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${options.keyPrefix}{*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length === 0) continue;
        // One key per UNLINK: keys of different slots cannot share a command on a cluster node.
        const p = node.pipeline();
        for (const k of keys) p.unlink(k);
        for (const [err, n] of (await p.exec()) ?? []) {
          if (err) throw err;
          removed += Number(n);
        }
      } while (cursor !== '0');
    }
  } catch (e) {
    throw toStorageError(e);
  }
  return removed;
}
