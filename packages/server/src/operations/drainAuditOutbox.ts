import { moveAuditEntry } from '../internal/audit.js';
import type { ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import type { DrainAuditOutboxResult } from '../types.js';

/**
 * Moves up to `limit` (default 100, 1..1000) outbox entries, oldest first, into the audit log
 * (docs/server.md section 4.1). Each move is idempotent by the entry's key, so a drain that
 * dies half-way, or two servers draining at once, never write an entry twice. Waits first for
 * the server's background moves in flight (`auditMove: 'background'`).
 */
export async function drainAuditOutbox(ctx: ServerContext, options: { limit?: number } = {}): Promise<DrainAuditOutboxResult> {
  if (typeof options !== 'object' || options === null) throw serverError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  const limit = options.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw serverError('ERR_INVALID_ARGUMENT', '"limit" expected an integer in [1, 1000]');
  // The background moves started before the drain finish first (docs/server.md section 4.1), so
  // the drain does not list their entries. Moves started later (during the listing or the loop
  // below), or inline ones, can still be listed and moved again: nothing is written twice (the
  // append is by key, a second settle removes nothing), but `events` may see the entry twice.
  await ctx.auditMoves.flush();
  const pending = await ctx.store.guard.listPendingAudit({ limit: limit + 1 });
  const batch = pending.slice(0, limit);
  for (const entry of batch) await moveAuditEntry(ctx, entry, true);
  return { moved: batch.length, more: pending.length > limit };
}
