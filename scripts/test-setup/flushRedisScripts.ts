// Runs before every test file (vitest `setupFiles`): empties the shared Redis's Lua script
// cache, as a Redis restart or failover would. The script cache is server-wide state that
// one file used to warm for the next, so a test that passed only after another file had
// loaded the adapter's scripts failed when the order changed. Flushing before every file
// makes the cold cache the normal case: a test that depends on it fails every run, not
// once in a while. Tests that must control the cache (counting request/reply boundaries)
// run their own redis-server (packages/storage-redis/test/privateRedis.ts).
import { Redis } from 'ioredis';

const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
client.on('error', () => undefined);
try {
  await client.connect();
  await client.script('FLUSH', 'SYNC');
} catch (e) {
  // A missing service is a failure, never a skip.
  throw new Error(`the test Redis at 127.0.0.1:6379 did not answer SCRIPT FLUSH: ${(e as Error).message}`);
} finally {
  client.disconnect();
}
