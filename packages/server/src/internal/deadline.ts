// The store deadline of docs/server.md section 4.1: a store that does not answer in time fails
// the operation fast (ERR_STORAGE_UNAVAILABLE, HTTP 503 with Retry-After) instead of holding
// the request for as long as the driver waits.
import type { OrganisationScope, OrganisationStore } from '@cloudmfa/storage';
import { storageError } from '@cloudmfa/storage/adapter';

type AnyFn = (...args: never[]) => Promise<unknown>;
type Reject = (e: unknown) => void;

/**
 * The deadlines of the calls in flight, all `ms` long: one unref'd timer for all of them (no
 * sleep: it only ends waits that have not ended by themselves), not one per call, since on an
 * in-memory store a timer per call cost more than the call it bounds (profiled,
 * docs/benchmarks.md), and so did `AbortSignal.timeout`'s signal, listener and weak references.
 * Calls start in deadline order (one `ms`, a monotonic clock), so the oldest is the first to
 * expire: the timer is set for it and, when it fires, ends every call past its deadline and is
 * set again for the oldest left.
 */
function deadlines(ms: number) {
  // Insertion order is start order. A call that settles is deleted (it cannot be rejected late).
  const pending = new Map<Reject, number>();
  let armed = false;
  const sweep = () => {
    const now = performance.now();
    for (const [reject, until] of pending) {
      if (until > now) {
        arm(until - now);
        return;
      }
      pending.delete(reject);
      reject(storageError('ERR_STORAGE_UNAVAILABLE', `the store did not answer within ${ms} ms`));
    }
    armed = false;
  };
  const arm = (delay: number) => {
    armed = true;
    const timer = setTimeout(sweep, Math.ceil(delay));
    (timer as { unref?: () => void }).unref?.();
  };
  return {
    add(reject: Reject): void {
      pending.set(reject, performance.now() + ms);
      if (!armed) arm(ms);
    },
    settle(reject: Reject): boolean {
      return pending.delete(reject);
    },
  };
}

function bounded<T extends object>(part: T, limit: ReturnType<typeof deadlines>, keep: ReadonlySet<string> = new Set()): T {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(part)) {
    const fn = (part as Record<string, unknown>)[name];
    if (typeof fn !== 'function') continue;
    const call = (fn as AnyFn).bind(part);
    out[name] = keep.has(name)
      ? call
      : (...args: never[]) =>
          new Promise((resolve, reject) => {
            limit.add(reject);
            let work: Promise<unknown>;
            try {
              work = call(...args);
            } catch (e) {
              limit.settle(reject);
              reject(e);
              return;
            }
            // A call that settles after the deadline is discarded (the promise is settled).
            work.then(
              (v) => {
                if (limit.settle(reject)) resolve(v);
              },
              (e: unknown) => {
                if (limit.settle(reject)) reject(e);
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
  const limit = deadlines(ms);
  return Object.freeze({
    enrolments: bounded(store.enrolments, limit),
    // listPendingAudit serves the drain, not a request: on Redis it SCANs the keyspace, which
    // may honestly take longer than a request's deadline.
    guard: bounded(store.guard, limit, new Set(['consume', 'listPendingAudit'])),
    challenges: bounded(store.challenges, limit),
    audit: bounded(store.audit, limit),
  });
}

/** The organisation records, every call bounded by `ms` (resolving an organisation serves a request). */
export function organisationsWithDeadline(store: OrganisationStore, ms: number): OrganisationStore {
  return Object.freeze(bounded(store, deadlines(ms)));
}
