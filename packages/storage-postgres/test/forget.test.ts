import { fixedClock } from '@cloudmfa/core';
import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, testPool, uniqueSchema } from './helpers.js';

// Forgotten throttle guards are removed (issue 11 §3, docs/storage.md 5.2): one failure from each
// of many addresses, each forgotten a minute later, must not grow the table without bound.
describe('postgres: forgotten throttle guards are removed', () => {
  const pool = testPool(4);
  const schema = uniqueSchema('forget');
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('holds a bounded number of guard rows under a stream of new addresses, and keeps enrolment guards', async () => {
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    await migrate({ pool, schema, clock });
    const store = await openPostgresStore({ pool, schema, clock });
    const policy = { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 1000, lockoutFailures: 10, lockoutMs: 1000, forgetAfterMs: 60_000 };
    await store.guard.consume('enr1', 7);
    for (let i = 0; i < 600; i++) {
      await store.guard.recordFailure(`i_${i}`, policy);
      clock.advance(1000); // 60 addresses live at any time
    }
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".cloudmfa_otp_guard`);
    expect(rows[0].n).toBeLessThanOrEqual(62);
    expect(await store.guard.consume('enr1', 7)).toMatchObject({ ok: false, reason: 'replayed' });
    await store.close();
  });
});
