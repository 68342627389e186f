import { storageError } from './errors.js';
import { scopeCache } from './organisations.js';
import type { MfaStore, OrganisationScope } from './types.js';

/**
 * Options of {@link composeStore}.
 *
 * @example
 * ```ts
 * const options: ComposeStoreOptions = { records: postgresStore, state: redisStore, onClose: () => pool.end() };
 * ```
 */
export interface ComposeStoreOptions {
  /**
   * The system of record: the composed store's `enrolments`, `audit`, `webhooks` and
   * `organisations` are this store's (PostgreSQL in the reference deployment).
   */
  records: MfaStore;
  /**
   * The hot, short-lived atomic state: the composed store's `guard` (and with it the audit
   * outbox, docs/storage.md section 5.3) and `challenges` are this store's (Redis in the
   * reference deployment).
   */
  state: MfaStore;
  /**
   * Runs once, after both stores closed, even when one of them failed to close: the place to
   * end a driver both stores do not own (a `pg.Pool`, a Redis client opened without `closeClient`).
   */
  onClose?: () => Promise<void>;
}

function assertStore(value: unknown, field: string): asserts value is MfaStore {
  const s = value as Partial<Record<keyof MfaStore, unknown>> | null;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.enrolments !== 'object' ||
    typeof s.guard !== 'object' ||
    typeof s.challenges !== 'object' ||
    typeof s.audit !== 'object' ||
    typeof s.organisations !== 'object' ||
    typeof s.forOrganisation !== 'function' ||
    typeof s.close !== 'function'
  ) {
    throw storageError('ERR_STORAGE_INVALID', `"${field}" expected an MfaStore (enrolments, guard, challenges, audit, organisations, forOrganisation, close)`);
  }
}

/**
 * One {@link MfaStore} from two: enrolments and the audit log from `records` (the system of
 * record), the OTP guard and push challenges from `state` (the hot atomic state). This is the
 * PostgreSQL + Redis deployment of docs/storage.md section 12, and any other pair works the same.
 *
 * Every operation of the facade is atomic within one of the two stores, so the composition
 * keeps each store's guarantees. The audit outbox lives with the guard (in `state`): a consume
 * records its audit entry in the same atomic step as the acceptance, and the server's drain
 * (`drainAuditOutbox`) moves it to the audit log in `records` by its idempotency key, so a code
 * consumed while `records` is down is never left without a record. The composed `audit` is not
 * the `state` guard's own log, so a consume given it as `auditLog` keeps the outbox.
 *
 * Webhook delivery state (`webhooks`, when `records` has it) comes from `records`, beside the
 * audit log it points into. The organisation records are `records`'; `forOrganisation(id)`
 * composes `records.forOrganisation(id)` and `state.forOrganisation(id)` the same way, so every
 * organisation's parts are split as the default one's.
 *
 * `close()` closes both stores (concurrently), then runs `onClose`; it is idempotent and
 * rejects with the first failure after all of that ran.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate({ pool });
 * const store = composeStore({
 *   records: await openPostgresStore({ pool }),
 *   state: createRedisStore({ client: new Redis(process.env.REDIS_URL), closeClient: true }),
 *   onClose: () => pool.end(),
 * });
 * ```
 */
export function composeStore({ records, state, onClose }: ComposeStoreOptions): MfaStore {
  assertStore(records, 'records');
  assertStore(state, 'state');
  if (onClose !== undefined && typeof onClose !== 'function') {
    throw storageError('ERR_STORAGE_INVALID', '"onClose" expected a function');
  }
  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    const settled = await Promise.allSettled([records.close(), state.close()]);
    const hook = onClose ? await Promise.allSettled([onClose()]) : [];
    const failed = [...settled, ...hook].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const compose = (r: OrganisationScope, s: OrganisationScope): OrganisationScope =>
    Object.freeze({
      enrolments: r.enrolments,
      audit: r.audit,
      // Webhook positions sit beside the audit log they point into (docs/storage.md section 7.2).
      ...(r.webhooks ? { webhooks: r.webhooks } : {}),
      guard: s.guard,
      challenges: s.challenges,
    });
  const root = compose(records, state);
  return Object.freeze({
    ...root,
    organisations: records.organisations,
    forOrganisation: scopeCache(root, (id) => compose(records.forOrganisation(id), state.forOrganisation(id))),
    close: () => (closing ??= close()),
  });
}
