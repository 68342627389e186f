import { runStorageConformance } from '@cloudmfa/storage/testing';
import { afterAll } from 'vitest';
import { freshStore, newClient } from './helpers.js';

// The shared suite against the real Redis at 127.0.0.1:6379: every test gets its own key
// prefix and client, and its keys are dropped afterwards. No group is switched off.
const admin = newClient();
afterAll(async () => {
  await admin.quit();
});

// By default the accepted entry goes through the outbox, as on a cluster (cluster.test.ts).
runStorageConformance({ name: 'redis (single node)', factory: ({ clock }) => freshStore(admin, clock, 'conf') });
// With singleServer consume appends the entry given its own log in the same script
// (docs/storage-redis.md 3.3), so the suite requires it (directAudit).
runStorageConformance({
  name: 'redis (single node, singleServer)',
  factory: ({ clock }) => freshStore(admin, clock, 'conf-one', {}, { singleServer: true }),
  directAudit: true,
});
// ioredis' auto-pipelining (one socket write per event-loop turn) is not in
// RECOMMENDED_REDIS_OPTIONS but documented as not changing any outcome (docs/storage-redis.md 6).
runStorageConformance({
  name: 'redis (single node, singleServer, enableAutoPipelining)',
  factory: ({ clock }) => freshStore(admin, clock, 'conf-ap', { enableAutoPipelining: true }, { singleServer: true }),
  directAudit: true,
});
