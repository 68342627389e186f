import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixedClock } from '@cloudmfa/core';
import { openSqliteStore } from '@cloudmfa/storage-sqlite';
import { runConsumeRace } from '@cloudmfa/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The two-process race: two Node processes share one file and each fires 1,000 concurrent
// consumes over the same 100 (enrolment, step) slots; exactly 100 may be accepted in total.
// Uses the built dist/ of storage and storage-sqlite: `npx tsup` in both first.

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-sqlite-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sqlite: two-process race', () => {
  beforeAll(() => {
    if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
      throw new Error('packages/storage-sqlite/dist is missing: run `npx tsup` in packages/storage-sqlite first');
    }
  });

  it('2 processes x 1,000 concurrent consumes of the same 100 steps: exactly 100 acceptances', async () => {
    const path = join(dir, 'race.db');
    // Create the schema first so the race is about consumes, not about the migration.
    await openSqliteStore({ path }).close();
    const r = await runConsumeRace({
      factoryModule: join(here, 'fixtures', 'raceFactory.mjs'),
      config: { path },
      processes: 2,
      attemptsPerProcess: 1000,
      keys: 100,
      step: 56_666_666,
    });
    expect(r.errors).toBe(0);
    expect(r.accepted).toBe(100);
    expect(r.replayed).toBe(1900);
    expect(r.perProcess.length).toBe(2);
    const store = openSqliteStore({ path, clock: fixedClock(Date.UTC(2026, 0, 1)) });
    for (let k = 0; k < 100; k++) expect((await store.guard.get(`race${k}`))?.lastStep).toBe(56_666_666);
    await store.close();
  });

  it('two processes racing on a fresh file both migrate safely and still give exactly 100', async () => {
    const path = join(dir, 'race-fresh.db');
    const r = await runConsumeRace({
      factoryModule: join(here, 'fixtures', 'raceFactory.mjs'),
      config: { path },
      keyPrefix: 'fresh',
    });
    expect(r.errors).toBe(0);
    expect(r.accepted).toBe(100);
  });
});
