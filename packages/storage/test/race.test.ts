import { fileURLToPath } from 'node:url';
import { RACE_ATTEMPT_POLICY, runConsumeRace } from '@cloudmfa/storage/testing';
import { describe, expect, it } from 'vitest';

// The race worker itself (dist/raceWorker.js, built by `npx tsup`), on one process with a memory
// store: the adapters' tests race two processes on a shared backend with the same options.
const factoryModule = fileURLToPath(new URL('./fixtures/memoryRaceFactory.mjs', import.meta.url));

describe('runConsumeRace (one process, memory store)', () => {
  it('consume: one acceptance per key', async () => {
    const r = await runConsumeRace({ factoryModule, processes: 1, attemptsPerProcess: 200, keys: 10 });
    expect(r).toMatchObject({ accepted: 10, replayed: 190, locked: 0, errors: 0 });
  });

  it('attempt: exactly freeFailures + 1 counted per key, the rest locked', async () => {
    const r = await runConsumeRace({ factoryModule, processes: 1, attemptsPerProcess: 200, keys: 10, operation: 'attempt' });
    expect(r).toMatchObject({ accepted: 10 * (RACE_ATTEMPT_POLICY.freeFailures + 1), replayed: 0, locked: 160, errors: 0 });
    const p = { ...RACE_ATTEMPT_POLICY, freeFailures: 0 };
    expect(await runConsumeRace({ factoryModule, processes: 1, attemptsPerProcess: 50, keys: 5, operation: 'attempt', policy: p })).toMatchObject({ accepted: 5, locked: 45 });
  });
});
