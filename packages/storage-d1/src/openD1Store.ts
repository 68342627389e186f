import { type Clock, systemClock } from '@cloudmfa/core';
import { DEFAULT_ORGANISATION_ID, type MfaStore, type OrganisationScope } from '@cloudmfa/storage';
import { scopeCache, storageError } from '@cloudmfa/storage/adapter';
import { d1Audit } from './_audit.js';
import { d1Webhooks } from './_webhooks.js';
import { d1Challenges } from './_challenges.js';
import { createContext, scopedContext } from './_context.js';
import { d1Enrolments } from './_enrolments.js';
import { d1Guard } from './_guard.js';
import { d1Organisations } from './_organisations.js';
import { migrate } from './_schema.js';
import type { D1DatabaseLike } from './d1.js';

/**
 * Options of {@link openD1Store}.
 *
 * @example
 * ```ts
 * const o: D1StoreOptions = { db: env.DB };
 * ```
 */
export interface D1StoreOptions {
  /** The D1 binding (`env.DB` in a Worker, `await mf.getD1Database('DB')` under Miniflare). */
  db: D1DatabaseLike;
  /** The clock for every recorded time and expiry decision (ms); default `systemClock`. */
  clock?: Clock;
}

/**
 * Opens (creating and migrating when needed) an {@link MfaStore} on a Cloudflare D1 database:
 * durable storage for the server facade at the edge. D1 is SQLite with no interactive
 * transactions, so every atomic operation is one conditional statement (`INSERT ... ON
 * CONFLICT ... WHERE`, `UPDATE ... WHERE ... RETURNING`), sent in one `batch()` (one
 * transaction) with the read that explains a refusal: of many concurrent `guard.consume` calls
 * for one step, exactly one succeeds. The failure count and the lock it earns are one batch
 * too, the lock looked up in SQL from `throttleDelay`'s own curve.
 *
 * `close()` only stops this store object: the binding belongs to the runtime.
 *
 * @example
 * ```ts
 * import { openD1Store } from '@cloudmfa/storage-d1';
 * import { createHttpHandler, createMfaServer } from '@cloudmfa/server';
 *
 * export default {
 *   async fetch(req: Request, env: { DB: D1DatabaseLike }) {
 *     const store = await openD1Store({ db: env.DB });
 *     const server = createMfaServer({ store, keys, issuer: 'Acme', origin: 'https://mfa.acme.example' });
 *     return createHttpHandler({ server })(req);
 *   },
 * };
 * ```
 */
export async function openD1Store(options: D1StoreOptions): Promise<MfaStore> {
  if (typeof options !== 'object' || options === null || typeof options.db?.prepare !== 'function' || typeof options.db?.batch !== 'function') {
    throw storageError('ERR_STORAGE_INVALID', '"db" expected a D1 database binding');
  }
  const ctx = createContext(options.db, options.clock ?? systemClock);
  await migrate(ctx);
  // Every statement of an organisation's parts names it (docs/storage.md, "Organisations").
  const scope = (org: string): OrganisationScope => {
    const c = scopedContext(ctx, org);
    const audit = d1Audit(c);
    return { enrolments: d1Enrolments(c), guard: d1Guard(c, audit), challenges: d1Challenges(c), audit: audit.log, webhooks: d1Webhooks(c) };
  };
  const root = scope(DEFAULT_ORGANISATION_ID);
  return {
    ...root,
    organisations: d1Organisations(ctx),
    forOrganisation: scopeCache(root, scope),
    close: async () => {
      ctx.close();
    },
  };
}
