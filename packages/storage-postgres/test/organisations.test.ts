// Migrations 5 (organisations, docs/storage.md, "Organisations"), 6 (webhooks), 7 and 8 on a schema written at version 4: every
// existing row belongs to the default organisation afterwards, and no other organisation sees it.
import { fixedClock } from '@cloudmfa/core';
import { listMigrations, migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { checkOrganisationsUpgrade, CONFORMANCE_T0 as T0 } from '@cloudmfa/storage/testing';
import { afterAll, expect, it } from 'vitest';
import { dropSchema, testPool, uniqueSchema } from './helpers.js';

const pool = testPool(4);
const schema = uniqueSchema('orgs');
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

it('a version-4 schema migrates through 5, 6, 7 and 8: its enrolments, guard, challenges, pauses, outbox and audit belong to the default organisation', async () => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}", pg_temp`);
    await client.query('CREATE TABLE cloudmfa_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at bigint NOT NULL)');
    for (const m of listMigrations().slice(0, 4)) {
      await client.query(m.sql);
      await client.query('INSERT INTO cloudmfa_migrations VALUES ($1, $2, $3, 0)', [m.version, m.name, m.checksum]);
    }
    // The old rows checkOrganisationsUpgrade expects.
    await client.query(`
      INSERT INTO cloudmfa_enrolments (id, user_id, status, secret, meta, created_at, expires_at, activated_at, revoked_at, version)
        VALUES ('e1', 'alice', 'active', '\\x01', '{}', ${T0}, ${T0 + 60_000}, ${T0}, NULL, 2);
      INSERT INTO cloudmfa_otp_guard (enrolment_id, last_step, failures, locked_until, drift, last_used_at) VALUES ('e1', 42, 0, NULL, 0, ${T0});
      INSERT INTO cloudmfa_challenges (id, enrolment_id, user_id, status, created_at, expires_at, finalized_at, meta, outcome)
        VALUES ('c1', 'e1', 'alice', 'pending', ${T0}, ${T0 + 60_000}, NULL, '{}', NULL);
      INSERT INTO cloudmfa_push_pause (user_id, paused_until) VALUES ('bob', ${T0 + 60_000});
      INSERT INTO cloudmfa_audit_outbox (entry_key, at, kind, enrolment_id, user_id, detail) VALUES ('k1', ${T0}, 'otp.accepted', 'e1', 'alice', '{}');
      INSERT INTO cloudmfa_audit (at, kind, enrolment_id, user_id, detail, entry_key) VALUES (${T0}, 'enrolment.issued', 'e1', 'alice', '{}', 'k0');
    `);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  expect((await migrate({ pool, schema })).applied).toEqual([5, 6, 7, 8]);

  const store = await openPostgresStore({ pool, schema, clock: fixedClock(T0 + 1000) });
  await checkOrganisationsUpgrade(store);
  await store.close();
});
