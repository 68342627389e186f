// The shared storage conformance suite, every group, against D1 as Miniflare runs it (workerd's
// D1, from npm), reached from this process through Miniflare's D1 binding proxy. Two databases
// per file: a store takes a free one (the suite opens a second store beside a test's own, which
// must not share its tables); each test gets freshly created tables, dropped afterwards.
import { openD1Store } from '@cloudmfa/storage-d1';
import { runStorageConformance } from '@cloudmfa/storage/testing';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll } from 'vitest';
import type { D1DatabaseLike } from '../src/d1.js';

let mf: Miniflare;
const free: D1DatabaseLike[] = [];
beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: 'export default { fetch: () => new Response(null, { status: 404 }) }',
    d1Databases: { DB: 'cloudmfa-conformance', OTHER: 'cloudmfa-conformance-other' },
  });
  for (const name of ['DB', 'OTHER']) free.push((await mf.getD1Database(name)) as unknown as D1DatabaseLike);
});
afterAll(() => mf?.dispose());

const TABLES = ['cloudmfa_webhook_state', 'cloudmfa_enrolments', 'cloudmfa_otp_guard', 'cloudmfa_audit_outbox', 'cloudmfa_challenges', 'cloudmfa_push_pause', 'cloudmfa_audit', 'cloudmfa_organisations', 'cloudmfa_schema'];

runStorageConformance({
  name: 'd1 (miniflare)',
  // The D1 store writes an accepted step's entry into its own audit log in the consume's batch.
  directAudit: true,
  factory: async ({ clock }) => {
    const db = free.shift();
    if (!db) throw new Error('more D1 stores open at once than this test declares databases');
    return {
      store: await openD1Store({ db, clock }),
      cleanup: async () => {
        await db.batch(TABLES.map((t) => db.prepare(`DROP TABLE IF EXISTS ${t}`)));
        free.push(db);
      },
    };
  },
});
