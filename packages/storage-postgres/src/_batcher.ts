import type { Row } from './_pg.js';
import { int } from './_rows.js';

interface Pending<R> {
  request: R;
  resolve: (row: Row | undefined) => void;
  reject: (error: unknown) => void;
}

/** The most requests in one batch statement. */
const MAX_BATCH = 128;

/**
 * Group commit (and group read): the requests that arrive within one turn of the event loop go
 * to the server together, as one statement over arrays (one round trip, one socket write; for
 * writes one transaction and one WAL flush) instead of one each. The write batch functions
 * decide every request by the conditions of its own call, set-based per segment (a run of
 * requests with distinct keys), the segments in array order, so a batch answers as those calls
 * made in that order would; a failed call rolls back the whole batch and every request in it
 * rejects with the same error, so none is ever half-applied.
 *
 * `send(batch)` runs the statement for the requests in that order and returns its rows, each
 * with `idx`, the 1-based position of its request in `batch`. A request resolves with its row,
 * or `undefined` when the statement returned none for it (a read that found nothing). `order`,
 * when given, sorts each batch before it is sent (stable: equal requests keep their arrival
 * order, so duplicates behave as sequential calls): the write batches sort by (organisation,
 * id) so that concurrent batches, in this process or any other, lock rows in one global order.
 */
export function createBatcher<R>(send: (batch: readonly R[]) => Promise<Row[]>, order?: (a: R, b: R) => number): (request: R) => Promise<Row | undefined> {
  let queue: Pending<R>[] = [];
  let scheduled = false;

  const dispatch = (batch: Pending<R>[]) => {
    if (order) batch.sort((a, b) => order(a.request, b.request));
    send(batch.map((p) => p.request)).then(
      (rows) => {
        const byIndex: (Row | undefined)[] = [];
        try {
          for (const row of rows) byIndex[int(row, 'idx') - 1] = row;
        } catch (e) {
          for (const p of batch) p.reject(e);
          return;
        }
        batch.forEach((p, i) => p.resolve(byIndex[i]));
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  };

  const flush = () => {
    scheduled = false;
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) dispatch(all.slice(i, i + MAX_BATCH));
  };

  return (request: R): Promise<Row | undefined> =>
    new Promise<Row | undefined>((resolve, reject) => {
      queue.push({ request, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // A macrotask, not a microtask: callers reach the store through several awaits, and
        // the requests released together by one server reply should land in one batch.
        setImmediate(flush);
      }
    });
}

/** The order of the write batches: organisation, then id; the same in every process of every release that batches across organisations. */
export const byOrgAndId = (a: { org: string; id: string }, b: { org: string; id: string }): number =>
  a.org < b.org ? -1 : a.org > b.org ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
