import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFORMANCE_T0, RACE_ATTEMPT_POLICY, raceWorkerPath, runConsumeRace } from '@cloudmfa/storage/testing';
import { migrate, openPostgresStore } from '@cloudmfa/storage-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, dropSchema, testPool, uniqueSchema } from './helpers.js';

// Two Node processes, each with its own pg.Pool, fire 1,000 concurrent consumes each at the
// same 100 (enrolment, step) slots: across both, exactly one acceptance per slot.
// The workers load the BUILT packages (`npx tsup` in packages/storage and here; `pnpm test`
// builds first).
const factoryModule = fileURLToPath(new URL('./raceFactory.mjs', import.meta.url));
const pool = testPool(4);
const schema = uniqueSchema('race');

beforeAll(async () => {
  if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) {
    throw new Error('packages/storage-postgres is not built: run `npx tsup` there (pnpm test builds first)');
  }
  raceWorkerPath(); // throws a clear error when packages/storage is not built
  await migrate({ pool, schema });
});
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
});

describe('two-process race on PostgreSQL', () => {
  it('2 processes x 1,000 concurrent consumes of the same 100 steps: exactly 100 acceptances', async () => {
    const now = CONFORMANCE_T0;
    const result = await runConsumeRace({
      factoryModule,
      config: { url: DATABASE_URL, schema, poolSize: 10 },
      processes: 2,
      attemptsPerProcess: 1000,
      keys: 100,
      step: 1000,
      keyPrefix: 'race',
      now,
      timeoutMs: 60_000,
    });
    expect(result.errors).toBe(0);
    expect(result.accepted).toBe(100);
    expect(result.replayed).toBe(1900);
    expect(result.perProcess).toHaveLength(2);
    // Both processes really competed (each finished all of its attempts).
    for (const p of result.perProcess) expect(p.accepted + p.replayed).toBe(1000);

    // The database agrees: every slot holds the raced step, accepted once.
    const store = await openPostgresStore({ pool, schema, clock: () => now });
    for (let i = 0; i < 100; i++) {
      const g = await store.guard.get(`race${i}`);
      expect(g).toMatchObject({ lastStep: 1000, failures: 0, lastUsedAt: now });
    }
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".cloudmfa_otp_guard`);
    expect(rows[0].n).toBe(100);
  });

  it('2 processes x 1,000 concurrent attempts on the same 100 fresh guards: exactly freeFailures + 1 counted per guard, the rest locked', async () => {
    const now = CONFORMANCE_T0;
    const result = await runConsumeRace({
      factoryModule,
      config: { url: DATABASE_URL, schema, poolSize: 10 },
      processes: 2,
      attemptsPerProcess: 1000,
      keys: 100,
      keyPrefix: 'attempt',
      now,
      operation: 'attempt',
      timeoutMs: 60_000,
    });
    const counted = RACE_ATTEMPT_POLICY.freeFailures + 1;
    expect(result.errors).toBe(0);
    expect(result.accepted).toBe(100 * counted);
    expect(result.locked).toBe(2000 - 100 * counted);
    for (const p of result.perProcess) expect(p.accepted + p.locked).toBe(1000);
    const store = await openPostgresStore({ pool, schema, clock: () => now });
    for (let i = 0; i < 100; i++) expect((await store.guard.get(`attempt${i}`))?.failures).toBe(counted);
  });
});
