// guard.attempt and consume's direct audit path on D1 as Miniflare runs it, read from the
// tables themselves: a refused attempt leaves the row (its expiry included) as it was, and an
// accepted step logged directly leaves no outbox row.
import { fixedClock } from '@cloudmfa/core';
import { openD1Store } from '@cloudmfa/storage-d1';
import { CONFORMANCE_T0 as T0 } from '@cloudmfa/storage/testing';
import { Miniflare } from 'miniflare';
import { afterAll, expect, it } from 'vitest';
import type { D1DatabaseLike } from '../src/d1.js';

const mf = new Miniflare({ modules: true, script: 'export default { fetch: () => new Response(null, { status: 404 }) }', d1Databases: { DB: 'cloudmfa-attempt' } });
afterAll(() => mf.dispose());

it('a refused attempt writes nothing; the direct path writes the audit row and no outbox row', async () => {
  const db = (await mf.getD1Database('DB')) as unknown as D1DatabaseLike;
  const clock = fixedClock(T0);
  const store = await openD1Store({ db, clock });
  const rows = async (sql: string) => (await db.prepare(sql).all()).results;
  const policy = { freeFailures: 0, baseDelayMs: 10_000, maxDelayMs: 60_000, lockoutFailures: 3, lockoutMs: 600_000, forgetAfterMs: 60_000 };
  expect(await store.guard.attempt('i_1', policy)).toMatchObject({ ok: true, state: { failures: 1, lockedUntil: T0 + 10_000 } });
  const before = await rows("SELECT * FROM cloudmfa_otp_guard WHERE enrolment_id = 'i_1'");
  expect(before).toMatchObject([{ failures: 1, locked_until: T0 + 10_000, expires_at: T0 + 70_000 }]);
  clock.advance(5_000);
  // Policies that, counted, would lock out at once and move the expiry.
  for (const p of [{ ...policy, lockoutFailures: 1, forgetAfterMs: 3_600_000 }, { ...policy, forgetAfterMs: undefined }]) {
    expect(await store.guard.attempt('i_1', p)).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 10_000, failures: 1 });
  }
  expect(await rows("SELECT * FROM cloudmfa_otp_guard WHERE enrolment_id = 'i_1'")).toEqual(before);

  const org = store.forOrganisation('org-a');
  const entry = (key: string) => ({ key, kind: 'otp.accepted', enrolmentId: 'e1', userId: 'alice', detail: { n: 1 } });
  expect(await org.guard.consume('e1', 1, { audit: entry('k1'), auditLog: org.audit })).toMatchObject({ ok: true, logged: { kind: 'otp.accepted' } });
  expect(await org.guard.consume('e1', 2, { audit: entry('k2'), auditLog: store.audit })).not.toHaveProperty('logged');
  // A replayed step with the own log: nothing anywhere.
  expect(await org.guard.consume('e1', 2, { audit: entry('k3'), auditLog: org.audit })).toMatchObject({ ok: false, reason: 'replayed' });
  expect(await rows('SELECT org, entry_key FROM cloudmfa_audit')).toEqual([{ org: 'org-a', entry_key: 'k1' }]);
  expect(await rows('SELECT org, entry_key FROM cloudmfa_audit_outbox')).toEqual([{ org: 'org-a', entry_key: 'k2' }]);
  await store.close();
});
