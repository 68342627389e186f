// `pnpm test`: build every package, typecheck, check the API report, check the docs' examples,
// knip, run every vitest test, then publint + attw.
// Prints one closing line `N passed, N failed` (tests plus the package checks) and exits
// non-zero if any step failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0;

// What knip checks in `pnpm test`: dependencies, files, and exports/types that nothing imports
// (a package's public entry points, the `exports` of its package.json, count as used).
const KNIP_CHECKS = 'dependencies,devDependencies,optionalPeerDependencies,unlisted,binaries,files,unresolved,exports,nsExports,types,nsTypes,duplicates';

const steps = [];
const step = (name, ok) => {
  steps.push({ name, ok });
  process.stdout.write(`\n== ${name}: ${ok ? 'ok' : 'FAILED'}\n`);
  return ok;
};

const built = step('build', run('pnpm', ['-r', '--filter', './packages/**', 'run', 'build']));
step('typecheck', run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']));
// The public surface against the committed report (api/*.api.md); `pnpm api:update` after an intended change.
if (built) step('API report', run('node', [join(root, 'scripts', 'api-report.mjs')]));
// Every ts/js example in README.md, docs/ and the TSDoc @examples, typechecked against the built
// packages, and run where it is self-contained (scripts/doc-examples.mjs).
if (built) step('doc examples', run('node', [join(root, 'scripts', 'doc-examples.mjs')]));
// The TypeDoc API reference of every published entry point (typedoc.json): a broken
// {@link}, a type it cannot reach or any other warning fails the step.
step('API reference (TypeDoc)', run(bin('typedoc'), []));
// Unused or unlisted dependencies and unused files (knip.jsonc).
step('knip', run(bin('knip'), ['--no-progress', '--include', KNIP_CHECKS]));

mkdirSync(join(root, '.tmp'), { recursive: true });
const report = join(root, '.tmp', 'vitest-report.json');
rmSync(report, { force: true });
let passed = 0;
let failed = 0;
if (built) {
  const ok = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed = r.numPassedTests;
    failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    if (r.numTotalTests === 0) failed++;
  } else failed++;
  step('vitest', ok && failed === 0);
} else failed++;

const lint = step('publint + attw', run('node', [join(root, 'scripts', 'lint-packages.mjs')]));
const stepFailures = steps.filter((s) => !s.ok && s.name !== 'vitest').length;
process.stdout.write(`\n${passed + (lint ? 1 : 0)} passed, ${failed + stepFailures} failed\n`);
process.exit(failed + stepFailures === 0 ? 0 : 1);
