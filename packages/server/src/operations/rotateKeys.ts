import type { EnrolmentRecord } from '@cloudmfa/storage';
import { nowOf, type ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isEnrolmentId } from '../internal/ids.js';
import { maintainEnrolment } from '../internal/maintain.js';
import { bindingOf, readMeta } from '../internal/meta.js';
import type { RotateKeysResult } from '../types.js';
import { checkUserId } from './startActivation.js';

/**
 * Re-seals the secrets of one enrolment, or of every enrolment of a user (at most 1000), under
 * the current KEK (docs/server.md section 2). Revoked enrolments hold no secret and count as
 * current. `failed` counts lost compare-and-sets (a concurrent change): run it again.
 */
export async function rotateKeys(ctx: ServerContext, target: { enrolmentId: string } | { userId: string }): Promise<RotateKeysResult> {
  let records: EnrolmentRecord[];
  if (typeof target === 'object' && target !== null && 'enrolmentId' in target) {
    if (!isEnrolmentId(target.enrolmentId)) throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected 1..128 of [A-Za-z0-9_-]');
    const rec = await ctx.store.enrolments.get(target.enrolmentId);
    records = rec ? [rec] : [];
  } else if (typeof target === 'object' && target !== null && 'userId' in target) {
    checkUserId(target.userId);
    records = await ctx.store.enrolments.listByUser(target.userId, { limit: 1000 });
  } else {
    throw serverError('ERR_INVALID_ARGUMENT', '"target" expected { enrolmentId } or { userId }');
  }
  const result: RotateKeysResult = { examined: 0, rewrapped: 0, current: 0, failed: 0 };
  for (const rec of records) {
    result.examined++;
    if (rec.status === 'revoked' || ctx.keyRing.isCurrent(rec.secret)) {
      result.current++;
      continue;
    }
    const meta = readMeta(rec);
    const opened = await ctx.keyRing.open(rec.secret, bindingOf(rec, meta));
    try {
      const outcome = await maintainEnrolment(ctx, rec, meta, opened.bytes, nowOf(ctx), opened.kind);
      result[outcome === 'rewrapped' ? 'rewrapped' : outcome === 'current' ? 'current' : 'failed']++;
    } finally {
      opened.bytes.fill(0);
    }
  }
  return result;
}
