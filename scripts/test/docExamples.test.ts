import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('../doc-examples.mjs', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/doc-examples-drift', import.meta.url));

// The `doc examples` step of `pnpm test` must fail when an example drifts from the code. This
// runs it on a fixture with one example of each kind of drift (against the built packages).
describe('scripts/doc-examples.mjs', () => {
  it('fails on a drifted example, names it by file and line, and passes the ones that hold', () => {
    const r = spawnSync(process.execPath, [script, '--sources', fixture, '--out', `${root}.tmp/doc-examples-fixture`, '--list'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(r.status).toBe(1);
    const out = r.stdout;
    // The old positional call does not compile.
    expect(out).toMatch(/docs\/guide\.md:13: TS2554/);
    // A field the result does not have, in a TSDoc example.
    expect(out).toMatch(/packages\/otp\/src\/drifted\.ts:8: TS2339: Property 'serverPushKey' does not exist/);
    // A claim that no longer holds fails when the example runs.
    expect(out).toMatch(/docs\/guide\.md:18: run failed: Error: the documented code drifted/);
    // The example that holds ran; the fragment was skipped.
    expect(out).toMatch(/docs\/guide\.md:5 {2}ran/);
    expect(out).toMatch(/4 typechecked, 2 run, 1 fragments skipped; 3 problem\(s\)/);
  }, 120_000);
});
