import { record } from '../internal/audit.js';
import type { ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isEnrolmentId } from '../internal/ids.js';
import type { RevokeEnrolmentResult } from '../types.js';

const REASON = /^[a-z0-9_.-]{1,64}$/;

/**
 * Revokes an enrolment atomically (the store wipes its secret). Audited `enrolment.revoked`
 * with `reason` (a short machine label, default `admin`; free text does not belong in an
 * audit log that SIEMs parse).
 */
export async function revokeEnrolment(ctx: ServerContext, enrolmentId: string, options: { reason?: string } = {}): Promise<RevokeEnrolmentResult> {
  if (typeof enrolmentId !== 'string') throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected a string');
  const reason = options?.reason ?? 'admin';
  if (typeof reason !== 'string' || !REASON.test(reason)) throw serverError('ERR_INVALID_ARGUMENT', '"options.reason" expected 1..64 of [a-z0-9_.-]');
  if (!isEnrolmentId(enrolmentId)) return { ok: false, reason: 'not_found' };
  const r = await ctx.store.enrolments.revoke(enrolmentId);
  if (!r.ok) return { ok: false, reason: r.reason };
  await record(ctx, 'enrolment.revoked', { enrolmentId, userId: r.enrolment.userId, detail: { reason } });
  return { ok: true };
}
