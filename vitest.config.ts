import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests import the workspace packages from source, so a change is tested without a rebuild.
// Tests that spawn processes (CLI, two-process races, Hermes) use the built `dist/`: the
// test command builds first.
export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@cloudmfa\/(core|otp|activation|push|storage|storage-sqlite|storage-d1|storage-postgres|storage-redis|server|client|cli|email|kek-pkcs11|sqlite-dialect)\/([a-z-]+)$/,
        replacement: `${root}packages/$1/src/$2.ts`,
      },
      {
        find: /^@cloudmfa\/(core|otp|activation|push|storage|storage-sqlite|storage-d1|storage-postgres|storage-redis|server|client|cli|email|kek-pkcs11|sqlite-dialect)$/,
        replacement: `${root}packages/$1/src/index.ts`,
      },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.mjs',
      'scripts/test/*.test.ts',
    ],
    // Every file starts on a cold Redis script cache (see the setup file): no test may
    // depend on what another file left in that server-wide cache.
    setupFiles: ['scripts/test-setup/flushRedisScripts.ts'],
    // No `retry`: a flaky test is a race to fix, not to absorb.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Adapter suites share one PostgreSQL and one Redis: files run one at a time per
    // worker, and each suite isolates itself by schema or key prefix.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
