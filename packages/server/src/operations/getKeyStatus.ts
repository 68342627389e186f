import type { EnrolmentRecord } from '@cloudmfa/storage';
import type { ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isEnrolmentId } from '../internal/ids.js';
import type { KeyStatus } from '../types.js';
import { checkUserId } from './startActivation.js';

/**
 * Where key rotation stands (docs/server.md section 2, Rotation): the current KEK id and, for
 * the enrolment or user given, which secrets are not yet under it. Reads only; `rotateKeys`
 * brings them over. A revoked enrolment holds no secret and counts as current.
 */
export async function getKeyStatus(ctx: ServerContext, target: { enrolmentId: string } | { userId: string } | undefined): Promise<KeyStatus> {
  let records: EnrolmentRecord[] = [];
  if (target === undefined) records = [];
  else if (typeof target === 'object' && target !== null && 'enrolmentId' in target) {
    if (!isEnrolmentId(target.enrolmentId)) throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected 1..128 of [A-Za-z0-9_-]');
    const rec = await ctx.store.enrolments.get(target.enrolmentId);
    records = rec ? [rec] : [];
  } else if (typeof target === 'object' && target !== null && 'userId' in target) {
    checkUserId(target.userId);
    records = await ctx.store.enrolments.listByUser(target.userId, { limit: 1000 });
  } else {
    throw serverError('ERR_INVALID_ARGUMENT', '"target" expected { enrolmentId }, { userId } or nothing');
  }
  const enrolments = records.map((rec) =>
    rec.status === 'revoked'
      ? { enrolmentId: rec.id, keyId: null, current: true }
      : { enrolmentId: rec.id, keyId: ctx.keyRing.keyIdOf(rec.secret), current: ctx.keyRing.isCurrent(rec.secret) },
  );
  return { currentKeyId: ctx.keyRing.currentId, enrolments, stale: enrolments.filter((e) => !e.current).length };
}
