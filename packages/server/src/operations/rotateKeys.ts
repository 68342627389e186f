import type { EnrolmentRecord } from '@cloudmfa/storage';
import { nowOf, type ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isEnrolmentId } from '../internal/ids.js';
import { type MaintainOutcome, maintainEnrolment } from '../internal/maintain.js';
import { bindingOf, readMeta } from '../internal/meta.js';
import type { RotateKeysResult } from '../types.js';
import { checkUserId } from './startActivation.js';

/**
 * Re-seals the secrets of one enrolment, or of every enrolment of a user (at most 1000), under
 * the current KEK (docs/server.md section 2): a data key is re-wrapped, a blob sealed before
 * envelope encryption is re-sealed. Revoked enrolments hold no secret and count as
 * current. `failed` counts lost compare-and-sets (a concurrent change): run it again.
 */
export async function rotateKeys(ctx: ServerContext, target: { enrolmentId: string } | { userId: string }): Promise<RotateKeysResult> {
  const records = await recordsOf(ctx, target);
  const result: RotateKeysResult = { examined: 0, rewrapped: 0, current: 0, failed: 0 };
  for (const rec of records) {
    result.examined++;
    result[await rotateRecord(ctx, rec)]++;
  }
  return result;
}

/** The records of `{ enrolmentId }` (none if unknown) or `{ userId }` (at most 1000); anything else is misuse. */
export async function recordsOf(ctx: ServerContext, target: unknown): Promise<EnrolmentRecord[]> {
  if (typeof target === 'object' && target !== null && 'enrolmentId' in target) {
    const { enrolmentId } = target as { enrolmentId: unknown };
    if (typeof enrolmentId !== 'string' || !isEnrolmentId(enrolmentId)) throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected 1..128 of [A-Za-z0-9_-]');
    const rec = await ctx.store.enrolments.get(enrolmentId);
    return rec ? [rec] : [];
  }
  if (typeof target === 'object' && target !== null && 'userId' in target) {
    const { userId } = target as { userId: unknown };
    checkUserId(userId);
    return ctx.store.enrolments.listByUser(userId, { limit: 1000 });
  }
  throw serverError('ERR_INVALID_ARGUMENT', '"target" expected { enrolmentId } or { userId }');
}

/**
 * Brings one record under the current KEK: a 0x03 blob has its data key re-wrapped (the
 * secret is not decrypted), an older one is opened and re-sealed. Revoked records hold no
 * secret and count as current.
 */
export async function rotateRecord(ctx: ServerContext, rec: EnrolmentRecord): Promise<MaintainOutcome> {
  if (rec.status === 'revoked' || ctx.keyRing.isCurrent(rec.secret)) return 'current';
  const meta = readMeta(rec);
  const binding = bindingOf(rec, meta);
  const rewrapped = await ctx.keyRing.rewrap(rec.secret, binding);
  if (rewrapped) return (await ctx.store.enrolments.update(rec.id, { secret: rewrapped, expectedVersion: rec.version })).ok ? 'rewrapped' : 'failed';
  const opened = await ctx.keyRing.open(rec.secret, binding);
  try {
    return await maintainEnrolment(ctx, rec, meta, opened.bytes, nowOf(ctx), opened.kind);
  } finally {
    opened.bytes.fill(0);
  }
}
