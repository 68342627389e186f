import type { ServerContext } from '../internal/context.js';
import type { KeyStatus } from '../types.js';
import { recordsOf } from './rotateKeys.js';

/**
 * Where key rotation stands (docs/server.md section 2, Rotation): the current KEK id and, for
 * the enrolment or user given, which secrets are not yet under it. Reads only; `rotateKeys`
 * brings them over. A revoked enrolment holds no secret and counts as current.
 */
export async function getKeyStatus(ctx: ServerContext, target: { enrolmentId: string } | { userId: string } | undefined): Promise<KeyStatus> {
  const records = target === undefined ? [] : await recordsOf(ctx, target);
  const enrolments = records.map((rec) =>
    rec.status === 'revoked'
      ? { enrolmentId: rec.id, keyId: null, current: true }
      : { enrolmentId: rec.id, keyId: ctx.keyRing.keyIdOf(rec.secret), current: ctx.keyRing.isCurrent(rec.secret) },
  );
  return { currentKeyId: ctx.keyRing.currentId, enrolments, stale: enrolments.filter((e) => !e.current).length };
}
