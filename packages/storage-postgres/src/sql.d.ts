// Migration files are imported as text: vitest (Vite) understands `?raw` natively, and the
// tsup build inlines them with the small esbuild plugin in tsup.config.ts.
declare module '*.sql?raw' {
  const sql: string;
  export default sql;
}
