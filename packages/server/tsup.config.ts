import { defineConfig } from 'tsup';

export default defineConfig({
  // kdf/nativeKdf(.node): the two variants of the package-internal `#native-kdf` import
  // (package.json `imports`): Node's scrypt under the `node` condition, none elsewhere. Kept
  // external so the runtime's resolver, not this build, picks one.
  entry: { index: 'src/index.ts', 'key-file': 'src/key-file.ts', node: 'src/node.ts', otel: 'src/otel.ts', nativeKdf: 'src/kdf/nativeKdf.ts', 'nativeKdf.node': 'src/kdf/nativeKdf.node.ts' },
  external: ['#native-kdf'],
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts', 'src/key-file.ts', 'src/node.ts', 'src/otel.ts'] },
  sourcemap: true,
  clean: true,
  target: 'es2020',
  treeshake: true,
});
