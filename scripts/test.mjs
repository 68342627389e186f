// `pnpm test`: build every package, typecheck, check the API report, check the docs' examples,
// knip, the example app's own typecheck and component tests (jest-expo), run every vitest test
// (the app's web story in Chromium and its iOS/Android bundles with the Hermes run among them),
// then publint + attw.
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
let passed = 0;
let failed = 0;

// The example app (examples/authenticator-app) has its own tsconfig (Expo's, React Native types)
// and its component tests run under jest-expo, React Native's test environment. The tests use
// the built packages.
const appDir = join(root, 'examples', 'authenticator-app');
step('authenticator app: typecheck', run(join(appDir, 'node_modules', '.bin', 'tsc'), ['-p', join(appDir, 'tsconfig.json'), '--noEmit']) && run(bin('tsc'), ['-p', join(appDir, 'test', 'tsconfig.json')]));
if (built) {
  const jestReport = join(root, '.tmp', 'jest-app-report.json');
  rmSync(jestReport, { force: true });
  const ok = spawnSync(join(appDir, 'node_modules', '.bin', 'jest'), ['--ci', '--json', `--outputFile=${jestReport}`], { cwd: appDir, stdio: 'inherit' }).status === 0;
  let jestFailed = 1;
  if (existsSync(jestReport)) {
    const r = JSON.parse(readFileSync(jestReport, 'utf8'));
    passed += r.numPassedTests;
    jestFailed = r.numFailedTests + r.numRuntimeErrorTestSuites + (r.numTotalTests === 0 ? 1 : 0);
  }
  failed += jestFailed;
  step('authenticator app: component tests (jest)', ok && jestFailed === 0);
} else failed++;

const report = join(root, '.tmp', 'vitest-report.json');
rmSync(report, { force: true });
if (built) {
  const ok = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  let vitestFailed = 1;
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    vitestFailed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + (r.numTotalTests === 0 ? 1 : 0);
  }
  failed += vitestFailed;
  step('vitest', ok && vitestFailed === 0);
} else failed++;

const lint = step('publint + attw', run('node', [join(root, 'scripts', 'lint-packages.mjs')]));
// Test steps count their failed tests above; the other steps count one each.
const stepFailures = steps.filter((s) => !s.ok && s.name !== 'vitest' && s.name !== 'authenticator app: component tests (jest)').length;
process.stdout.write(`\n${passed + (lint ? 1 : 0)} passed, ${failed + stepFailures} failed\n`);
process.exit(failed + stepFailures === 0 ? 0 : 1);
