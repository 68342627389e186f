// Lazy maintenance of an enrolment record (docs/server.md section 2): re-seal the secret under
// the current KEK, and drop the stored redemption response once its retry window has closed.
import type { EnrolmentRecord } from '@cloudmfa/storage';
import type { ServerContext } from './context.js';
import type { SecretKind } from './sealing.js';
import { bindingOf, type EnrolmentMeta, metaToJson } from './meta.js';

/** What maintenance did: re-sealed, nothing to do, or lost a compare-and-set (retry later). */
export type MaintainOutcome = 'rewrapped' | 'current' | 'failed';

// Stale: another KEK, or the format before the bound attributes (issue 11 §7).
const isStale = (ctx: ServerContext, rec: EnrolmentRecord) => !ctx.keyRing.isCurrent(rec.secret);
const responseExpired = (rec: EnrolmentRecord, meta: EnrolmentMeta, now: number) => meta.response !== undefined && now > rec.expiresAt;

/** Whether `maintainEnrolment` would change `rec`: a caller skips it (and its promise) when not. */
export function needsMaintenance(ctx: ServerContext, rec: EnrolmentRecord, meta: EnrolmentMeta, now: number): boolean {
  return rec.status !== 'revoked' && (isStale(ctx, rec) || responseExpired(rec, meta, now));
}

/**
 * `plain` is the opened secret of `rec` (the caller zeroes it). A lost compare-and-set is not
 * an error: someone else changed the record, and the next read maintains it.
 */
export async function maintainEnrolment(
  ctx: ServerContext,
  rec: EnrolmentRecord,
  meta: EnrolmentMeta,
  plain: Uint8Array,
  now: number,
  kind: SecretKind = 'seed',
): Promise<MaintainOutcome> {
  if (rec.status === 'revoked') return 'current';
  const stale = isStale(ctx, rec);
  const dropResponse = responseExpired(rec, meta, now);
  if (!stale && !dropResponse) return 'current';
  const changes: { secret?: Uint8Array; meta?: ReturnType<typeof metaToJson>; expectedVersion: number } = { expectedVersion: rec.version };
  if (stale) changes.secret = await ctx.keyRing.seal(kind, plain, bindingOf(rec, meta));
  if (dropResponse) {
    const { response: _dropped, ...rest } = meta;
    changes.meta = metaToJson(rest as EnrolmentMeta);
  }
  const r = await ctx.store.enrolments.update(rec.id, changes);
  return r.ok ? (stale ? 'rewrapped' : 'current') : 'failed';
}
