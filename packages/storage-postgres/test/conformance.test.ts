import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { runStorageConformance } from '@cloudmfa/storage/testing';
import { afterAll } from 'vitest';
import { dropSchema, testPool, uniqueSchema } from './helpers.js';

// The shared suite against the real server; every test gets its own schema, migrated by the
// package's own migrate() and dropped afterwards. No group is switched off. PostgreSQL logs
// directly (docs/storage.md section 5): given its own audit log, consume must answer `logged`.
const pool = testPool(20);
afterAll(async () => {
  await pool.end();
});

runStorageConformance({ name: 'postgres', factory: async ({ clock }) => {
  const schema = uniqueSchema('conf');
  await migrate({ pool, schema, clock });
  const store = await openPostgresStore({ pool, schema, clock });
  return { store, cleanup: () => dropSchema(pool, schema) };
}, directAudit: true });
