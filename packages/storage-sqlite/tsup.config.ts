import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  treeshake: true,
  // The SQLite dialect shared with the other SQLite adapter is a private workspace package:
  // inlined here, so the published package does not depend on it.
  noExternal: ['@cloudmfa/sqlite-dialect'],
});
