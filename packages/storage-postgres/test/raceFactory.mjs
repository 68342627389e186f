// The factory module of the two-process race (runConsumeRace from @cloudmfa/storage/testing):
// each worker process opens the BUILT adapter on its own pg.Pool. The pool is ended with the
// store, since the worker owns it.
import pg from 'pg';
import { openPostgresStore } from '../dist/index.js';

export default async function open({ config, clock }) {
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
  pool.on('error', () => {});
  const store = await openPostgresStore({ pool, schema: config.schema, clock });
  return {
    enrolments: store.enrolments,
    guard: store.guard,
    challenges: store.challenges,
    audit: store.audit,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}
