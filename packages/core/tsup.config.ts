import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/curves.ts', 'src/providers.ts', 'src/sha.ts', 'src/shape.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  treeshake: true,
});
