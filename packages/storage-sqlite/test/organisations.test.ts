// The upgrade to schema 4 (organisations, docs/storage.md, "Organisations"): a file written before
// keeps every row, in the default organisation, and no other organisation sees them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fixedClock } from '@cloudmfa/core';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { checkOrganisationsUpgrade, CONFORMANCE_T0 as T0 } from '@cloudmfa/storage/testing';
import { afterAll, it } from 'vitest';
import { MIGRATIONS } from '../src/_schema.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-sqlite-orgs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a schema-3 file upgrades through schemas 4 and 5: its enrolments, guard, challenges, pauses, outbox and audit belong to the default organisation', async () => {
  const path = join(dir, 'v3.db');
  const raw = new Database(path);
  raw.exec('CREATE TABLE cloudmfa_schema (version INTEGER NOT NULL) STRICT; INSERT INTO cloudmfa_schema VALUES (3);');
  for (const m of MIGRATIONS.slice(0, 3)) raw.exec(m);
  // The old rows checkOrganisationsUpgrade expects.
  raw.exec(`
    INSERT INTO cloudmfa_enrolments VALUES ('e1', 'alice', 'active', x'01', '{}', ${T0}, ${T0 + 60_000}, ${T0}, NULL, 2);
    INSERT INTO cloudmfa_otp_guard (enrolment_id, last_step, failures, locked_until, drift, last_used_at) VALUES ('e1', 42, 0, NULL, 0, ${T0});
    INSERT INTO cloudmfa_challenges VALUES ('c1', 'e1', 'alice', 'pending', ${T0}, ${T0 + 60_000}, NULL, '{}', NULL);
    INSERT INTO cloudmfa_push_pause VALUES ('bob', ${T0 + 60_000});
    INSERT INTO cloudmfa_audit_outbox VALUES ('k1', ${T0}, 'otp.accepted', 'e1', 'alice', '{}');
    INSERT INTO cloudmfa_audit (at, kind, enrolment_id, user_id, detail, entry_key) VALUES (${T0}, 'enrolment.issued', 'e1', 'alice', '{}', 'k0');
  `);
  raw.close();

  const store = openSqliteStore({ path, clock: fixedClock(T0 + 1000) });
  await checkOrganisationsUpgrade(store);
  await store.close();
});
