// The upgrade to schema 2 (organisations, docs/storage.md, "Organisations") on D1 as Miniflare
// runs it: a database written at schema 1 keeps every row, in the default organisation, and no
// other organisation sees them.
import { fixedClock } from '@cloudmfa/core';
import { openD1Store } from '@cloudmfa/storage-d1';
import { Miniflare } from 'miniflare';
import { checkOrganisationsUpgrade, CONFORMANCE_T0 as T0 } from '@cloudmfa/storage/testing';
import { afterAll, it } from 'vitest';
import type { D1DatabaseLike } from '../src/d1.js';
import { MIGRATIONS } from '../src/_schema.js';

const mf = new Miniflare({ modules: true, script: 'export default { fetch: () => new Response(null, { status: 404 }) }', d1Databases: { DB: 'cloudmfa-orgs-upgrade' } });
afterAll(() => mf.dispose());

it('a schema-1 database upgrades through schemas 2 and 3: its enrolments, guard, challenges, pauses, outbox and audit belong to the default organisation', async () => {
  const db = (await mf.getD1Database('DB')) as unknown as D1DatabaseLike;
  await db.batch([
    db.prepare('CREATE TABLE cloudmfa_schema (version INTEGER NOT NULL) STRICT'),
    db.prepare('INSERT INTO cloudmfa_schema (version) VALUES (1)'),
    ...MIGRATIONS[0]!.map((sql) => db.prepare(sql)),
    // The old rows checkOrganisationsUpgrade expects.
    db.prepare(`INSERT INTO cloudmfa_enrolments VALUES ('e1', 'alice', 'active', x'01', '{}', ${T0}, ${T0 + 60_000}, ${T0}, NULL, 2)`),
    db.prepare(`INSERT INTO cloudmfa_otp_guard (enrolment_id, last_step, failures, locked_until, drift, last_used_at) VALUES ('e1', 42, 0, NULL, 0, ${T0})`),
    db.prepare(`INSERT INTO cloudmfa_challenges VALUES ('c1', 'e1', 'alice', 'pending', ${T0}, ${T0 + 60_000}, NULL, '{}', NULL)`),
    db.prepare(`INSERT INTO cloudmfa_push_pause VALUES ('bob', ${T0 + 60_000})`),
    db.prepare(`INSERT INTO cloudmfa_audit_outbox VALUES ('k1', ${T0}, 'otp.accepted', 'e1', 'alice', '{}')`),
    db.prepare(`INSERT INTO cloudmfa_audit (at, kind, enrolment_id, user_id, detail, entry_key) VALUES (${T0}, 'enrolment.issued', 'e1', 'alice', '{}', 'k0')`),
  ]);

  const store = await openD1Store({ db, clock: fixedClock(T0 + 1000) });
  await checkOrganisationsUpgrade(store);
  await store.close();
});
