import type { JsonObject } from '@cloudmfa/storage';
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
    detail: entry.detail ?? {},
  });
  const sink = ctx.events;
  if (!sink) return;
  const event: MfaEvent = {
    id: stored.id,
    at: stored.at,
    kind,
    enrolmentId: stored.enrolmentId,
    userId: stored.userId,
    detail: stored.detail,
    risk: entry.risk === true,
  };
  try {
    const p = sink(event);
    if (p && typeof (p as Promise<void>).then === 'function') (p as Promise<void>).then(undefined, () => undefined);
  } catch {
    // A failing sink must not turn an accepted code into an error.
  }
}
