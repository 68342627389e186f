// The end-user story of issue 10 (test/story/runStory.ts) inside Hermes, React Native's engine:
// bundled by Metro with the React Native preset as an app is (scripts/hermes/harness.mjs), the
// server replaced by the replies recorded from the live Node run (story.test.ts). Uses the
// BUILT packages (`pnpm test` builds everything before vitest). KDF costs: the story's PIN slot
// and envelope run at the smallest costs the vault and the activation protocol accept (see
// test/story/runStory.ts), so the run does not hinge on pure-JS scrypt's speed on a loaded
// machine (measured here, 2 loaded cores: 187 s with the default PIN cost, 40 s with the
// cheapest, 36 s of it the two envelope opens); the default PIN cost inside Hermes is covered by
// test/vault/hermes.test.ts.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInHermes } from '../../../scripts/hermes/harness.mjs';

describe('the end-user story inside Hermes', () => {
  it('scan, password, review, rename, PIN, redeem, codes, Confirm / Suspicious / Cancel, locked push, lost push, fast clock', async () => {
    const { result } = await runInHermes(fileURLToPath(new URL('./hermes/story-entry.ts', import.meta.url)), 'client-story', { timeoutMs: 500_000 });
    expect(result.textEncoder).toBe('undefined');
    expect(result.log).toMatchObject({ approved: 3, denied: 1, cancelled: 1, skewReported: 95 });
    // Every recorded reply and admin step was used, in order: the same story as in Node.
    expect(result.done).toBe(true);
    // For the record (not a bound): where the time goes, step by step.
    console.log(`hermes story: ${result.totalMs} ms; steps ${JSON.stringify(result.stepTimes)}`);
  }, 520_000);
});
