/**
 * What the adapter uses of a Cloudflare D1 binding (`env.DB`): declared here so that the package
 * needs neither `@cloudflare/workers-types` nor Wrangler; a `D1Database` fits.
 *
 * @example
 * ```ts
 * export default { fetch: async (req: Request, env: { DB: D1DatabaseLike }) => new Response(String(await openD1Store({ db: env.DB }))) };
 * ```
 */
export interface D1DatabaseLike {
  prepare(query: string): D1StatementLike;
  /** Runs the statements in order as one transaction: all of them, or none. */
  batch(statements: D1StatementLike[]): Promise<D1ResultLike[]>;
}

/**
 * A prepared D1 statement.
 *
 * @example
 * ```ts
 * const row = await db.prepare('SELECT 1 AS x').first();
 * ```
 */
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  first(): Promise<unknown>;
  all(): Promise<D1ResultLike>;
  run(): Promise<D1ResultLike>;
}

/**
 * A D1 statement's result.
 *
 * @example
 * ```ts
 * const { results, meta } = await db.prepare('SELECT 1 AS x').all();
 * ```
 */
export interface D1ResultLike {
  results?: unknown[];
  meta: { changes?: number };
}
