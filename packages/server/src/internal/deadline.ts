// The store deadline of docs/server.md section 4.1: a store that does not answer in time fails
// the operation fast (ERR_STORAGE_UNAVAILABLE, HTTP 503 with Retry-After) instead of holding
// the request for as long as the driver waits.
import type { OrganisationScope, OrganisationStore } from '@cloudmfa/storage';
import { storageError } from '@cloudmfa/storage/adapter';

type AnyFn = (...args: never[]) => Promise<unknown>;

function bounded<T extends object>(part: T, ms: number, keep: ReadonlySet<string> = new Set()): T {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(part)) {
    const fn = (part as Record<string, unknown>)[name];
    if (typeof fn !== 'function') continue;
    const call = (fn as AnyFn).bind(part);
    out[name] = keep.has(name)
      ? call
      : (...args: never[]) =>
          new Promise((resolve, reject) => {
            // One unref'd timer per call (no sleep: it only ends a wait that has not ended by
            // itself). Not AbortSignal.timeout: its signal, listener and weak references cost
            // more than the in-memory store call they bound (profiled, docs/benchmarks.md).
            const timer = setTimeout(() => reject(storageError('ERR_STORAGE_UNAVAILABLE', `the store did not answer within ${ms} ms`)), ms);
            (timer as { unref?: () => void }).unref?.();
            let work: Promise<unknown>;
            try {
              work = call(...args);
            } catch (e) {
              clearTimeout(timer);
              reject(e);
              return;
            }
            // A call that settles after the deadline is discarded (the promise is settled).
            work.then(
              (v) => {
                clearTimeout(timer);
                resolve(v);
              },
              (e: unknown) => {
                clearTimeout(timer);
                reject(e);
              },
            );
          });
  }
  return out as T;
}

/**
 * One organisation's stores as the facade uses them: every call bounded by `ms`, except `guard.consume` (and the
 * drain's `guard.listPendingAudit`). A
 * consume cut short could still be applied after its caller was told 503, and the user's retry
 * of the same code would then be refused as replayed; so a consume is always awaited to its
 * outcome, and the calls before it (which fail fast) keep a dead store from reaching it.
 */
export function withDeadline(store: OrganisationScope, ms: number): OrganisationScope {
  return Object.freeze({
    enrolments: bounded(store.enrolments, ms),
    // listPendingAudit serves the drain, not a request: on Redis it SCANs the keyspace, which
    // may honestly take longer than a request's deadline.
    guard: bounded(store.guard, ms, new Set(['consume', 'listPendingAudit'])),
    challenges: bounded(store.challenges, ms),
    audit: bounded(store.audit, ms),
  });
}

/** The organisation records, every call bounded by `ms` (resolving an organisation serves a request). */
export function organisationsWithDeadline(store: OrganisationStore, ms: number): OrganisationStore {
  return Object.freeze(bounded(store, ms));
}
