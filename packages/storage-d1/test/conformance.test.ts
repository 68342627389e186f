// The shared storage conformance suite, every group, against D1 as Miniflare runs it (workerd's
// D1, from npm), reached from this process through Miniflare's D1 binding proxy. One database
// per file; each test gets freshly created tables, dropped afterwards.
import { openD1Store } from '@cloudmfa/storage-d1';
import { runStorageConformance } from '@cloudmfa/storage/testing';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll } from 'vitest';
import type { D1DatabaseLike } from '../src/d1.js';

let mf: Miniflare;
let db: D1DatabaseLike;
beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: 'export default { fetch: () => new Response(null, { status: 404 }) }', d1Databases: { DB: 'cloudmfa-conformance' } });
  db = (await mf.getD1Database('DB')) as unknown as D1DatabaseLike;
});
afterAll(() => mf?.dispose());

const TABLES = ['cloudmfa_webhook_state', 'cloudmfa_enrolments', 'cloudmfa_otp_guard', 'cloudmfa_audit_outbox', 'cloudmfa_challenges', 'cloudmfa_push_pause', 'cloudmfa_audit', 'cloudmfa_organisations', 'cloudmfa_schema'];

runStorageConformance({
  name: 'd1 (miniflare)',
  factory: async ({ clock }) => ({
    store: await openD1Store({ db, clock }),
    cleanup: async () => {
      await db.batch(TABLES.map((t) => db.prepare(`DROP TABLE IF EXISTS ${t}`)));
    },
  }),
});
