import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library entry (runCli), ESM + CJS with types.
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Keep the bin: the second build writes it into the same folder at the same time.
    clean: ['!bin.js', '!bin.js.map'],
    target: 'es2020',
    treeshake: true,
  },
  {
    // The executable, ESM only; esbuild keeps the `#!/usr/bin/env node` line and tsup marks it executable.
    entry: ['src/bin.ts'],
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'es2020',
  },
]);
