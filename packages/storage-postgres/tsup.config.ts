import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  treeshake: true,
  // `import sql from './migrations/0001_initial.sql?raw'` (the Vite convention, so tests read
  // the same files): inline the SQL text into dist, so the published package never reads
  // files at run time. The .sql files also ship in `src/` for DBAs to read.
  esbuildPlugins: [
    {
      name: 'sql-raw',
      setup(build) {
        build.onResolve({ filter: /\.sql\?raw$/ }, (args) => ({
          path: resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)),
          namespace: 'sql-raw',
        }));
        build.onLoad({ filter: /.*/, namespace: 'sql-raw' }, async (args) => ({
          contents: await readFile(args.path, 'utf8'),
          loader: 'text',
        }));
      },
    },
  ],
});
