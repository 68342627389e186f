import { defineConfig } from 'tsup';

export default defineConfig({
  // index: the interfaces and memory adapters (no Node built-ins: phones load it).
  // client: the phone's seams alone (what a React Native bundle should import).
  // adapter: what only adapter authors need (normalisation, validation, error helpers).
  // testing: the conformance suite and the two-process race helper (Node + vitest).
  // raceWorker: the child process the race helper spawns.
  entry: ['src/index.ts', 'src/client.ts', 'src/adapter.ts', 'src/testing.ts', 'src/raceWorker.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts', 'src/client.ts', 'src/adapter.ts', 'src/testing.ts'] },
  sourcemap: true,
  clean: true,
  target: 'es2020',
  treeshake: true,
  // import.meta.url (used to find the race worker) in the CJS build.
  shims: true,
  // The suite runs inside the adapter's own vitest.
  external: ['vitest'],
});
