// Runs publint and @arethetypeswrong/cli on every published package; any problem fails.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failed = 0;
let checked = 0;
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkgDir = join(root, 'packages', dir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  checked++;
  for (const [tool, args] of [
    ['publint', ['--strict', pkgDir]],
    // ESM-only dependencies (@noble/*) are loaded through require(esm) on Node >= 20.19,
    // so the node10 resolution mode (which has no `exports`) is not a target.
    ['attw', ['--pack', pkgDir, '--profile', 'node16', '--format', 'ascii']],
  ]) {
    try {
      execFileSync(bin(tool), args, { stdio: 'pipe', encoding: 'utf8' });
    } catch (err) {
      failed++;
      process.stdout.write(`${tool} ${pkg.name}: FAILED\n${err.stdout ?? ''}${err.stderr ?? ''}\n`);
    }
  }
}
process.stdout.write(`lint-packages: ${checked} packages checked, ${failed} failure(s)\n`);
process.exit(failed ? 1 : 0);
