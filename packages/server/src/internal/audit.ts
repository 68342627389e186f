import type { AuditEvent, JsonObject, PendingAuditEntry } from '@cloudmfa/storage';
import type { MfaAuditKind, MfaEvent } from '../types.js';
import type { ServerContext } from './context.js';

/**
 * Appends one audit entry, then hands it to the `events` sink. The sink cannot break the
 * operation: a throw or a rejection is swallowed (and never logged here, since an error object
 * from a sink is outside our control).
 */
export async function record(
  ctx: ServerContext,
  kind: MfaAuditKind,
  entry: { enrolmentId?: string | null; userId?: string | null; detail?: JsonObject; risk?: boolean },
): Promise<void> {
  const stored = await ctx.store.audit.append({
    kind,
    enrolmentId: entry.enrolmentId ?? null,
    userId: entry.userId ?? null,
    detail: withActor(ctx, entry.detail ?? {}),
  });
  publish(ctx, stored, entry.risk === true);
}

/** `detail` with the acting principal (`withActor`) added, when there is one. */
export function withActor(ctx: ServerContext, detail: JsonObject): JsonObject {
  return ctx.actor === null ? detail : { ...detail, actor: ctx.actor };
}

/**
 * Moves one outbox entry (docs/server.md section 4.1) into the audit log by its key (a second
 * move finds it there and writes nothing), hands it to `events`, and removes it from the
 * outbox. `late`: moved by the drain, so the time of the acceptance goes into `detail`.
 */
export async function moveAuditEntry(ctx: ServerContext, entry: PendingAuditEntry, late: boolean): Promise<void> {
  const stored = await ctx.store.audit.append({
    key: entry.key,
    kind: entry.kind,
    enrolmentId: entry.enrolmentId,
    userId: entry.userId,
    detail: late ? { ...entry.detail, acceptedAt: entry.at } : entry.detail,
  });
  publish(ctx, stored, false);
  await ctx.store.guard.settleAudit(entry);
}

/** Hands a stored entry to the `events` sink; the sink cannot break the operation. */
export function publish(ctx: ServerContext, stored: AuditEvent, risk: boolean): void {
  const sink = ctx.events;
  if (!sink) return;
  const event: MfaEvent = {
    id: stored.id,
    organisationId: ctx.organisationId,
    at: stored.at,
    kind: stored.kind as MfaAuditKind,
    enrolmentId: stored.enrolmentId,
    userId: stored.userId,
    detail: stored.detail,
    risk,
  };
  try {
    const p = sink(event);
    if (p && typeof (p as Promise<void>).then === 'function') (p as Promise<void>).then(undefined, () => undefined);
  } catch {
    // A failing sink must not turn an accepted code into an error.
  }
}
