import { type NormalizedPendingAudit, storageError } from '@cloudmfa/storage/adapter';
import type { Row } from './_pg.js';
import { int } from './_rows.js';

/** One `guard.consume` waiting for its batch. */
export interface ConsumeRequest {
  id: string;
  step: number;
  drift: number | null;
  now: number;
  unlock: number | null;
  /** The outbox entry to record with an acceptance, or `null`. */
  audit: NormalizedPendingAudit | null;
}
interface Pending extends ConsumeRequest {
  resolve: (row: Row) => void;
  reject: (error: unknown) => void;
}

/** The most consumes in one call of `cloudmfa_otp_consume_outbox_batch`. */
const MAX_BATCH = 128;

/**
 * Group commit for `guard.consume`: the consumes that arrive within one turn of the event
 * loop go to the server together, as one call of `cloudmfa_otp_consume_outbox_batch` (one round
 * trip, one transaction, one WAL flush) instead of one commit each. Each consume is still
 * decided by its own conditional upsert inside that call; a failed call rolls back the whole
 * batch and every consume in it rejects with the same error, so none is ever half-applied.
 *
 * `send` runs the batch statement with `[ids, steps, drifts, nows, unlocks, keys, kinds, enrolmentIds, userIds, details]` and returns its rows
 * (`idx` is the 1-based position in the arrays).
 */
export function createConsumeBatcher(send: (values: unknown[]) => Promise<Row[]>) {
  let queue: Pending[] = [];
  let scheduled = false;

  const dispatch = (batch: Pending[]) => {
    // Sorted by id (stable: same-id consumes keep their arrival order) so that concurrent
    // batches, in this process or any other, lock guard rows in one global order: no deadlock.
    batch.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    send([
      batch.map((e) => e.id),
      batch.map((e) => e.step),
      batch.map((e) => e.drift),
      batch.map((e) => e.now),
      batch.map((e) => e.unlock),
      batch.map((e) => e.audit?.key ?? null),
      batch.map((e) => e.audit?.kind ?? null),
      batch.map((e) => e.audit?.enrolmentId ?? null),
      batch.map((e) => e.audit?.userId ?? null),
      batch.map((e) => e.audit?.detail ?? null),
    ]).then(
      (rows) => {
        const byIndex = new Map<number, Row>();
        try {
          for (const row of rows) byIndex.set(int(row, 'idx'), row);
        } catch (e) {
          for (const p of batch) p.reject(e);
          return;
        }
        batch.forEach((p, i) => {
          const row = byIndex.get(i + 1);
          if (row) p.resolve(row);
          else p.reject(storageError('ERR_STORAGE_CORRUPT', 'the consume batch returned no row for an element'));
        });
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

  return (request: ConsumeRequest): Promise<Row> =>
    new Promise<Row>((resolve, reject) => {
      queue.push({ ...request, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // A macrotask, not a microtask: callers reach consume through several awaits, and
        // the consumes released together by one server reply should land in one batch.
        setImmediate(flush);
      }
    });
}
