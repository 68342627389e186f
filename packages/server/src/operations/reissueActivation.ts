import type { ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import { isStorageId } from '../internal/ids.js';
import { readMeta } from '../internal/meta.js';
import type { ReissueActivationResult, ActivationSettings } from '../types.js';
import { revokeEnrolment } from './revokeEnrolment.js';
import { parseStartOptions, startActivation } from './startActivation.js';

/**
 * Re-issues an activation: starts a new one for the same user, with the same mode, account and
 * OTP parameters unless `options` override them (an HOTP counter restarts at 0), then revokes
 * the old enrolment unless it is already revoked (reason `reissued`). In that order, so a new
 * activation that cannot be issued (e.g. an override the policy refuses) leaves the old
 * enrolment untouched.
 */
export async function reissueActivation(ctx: ServerContext, enrolmentId: string, rawOptions?: ActivationSettings): Promise<ReissueActivationResult> {
  if (typeof enrolmentId !== 'string') throw serverError('ERR_INVALID_ARGUMENT', '"enrolmentId" expected a string');
  const options = parseStartOptions(rawOptions);
  if (!isStorageId(enrolmentId)) return { ok: false, reason: 'not_found' };
  const old = await ctx.store.enrolments.get(enrolmentId);
  if (!old) return { ok: false, reason: 'not_found' };
  const meta = readMeta(old);
  const { counter: _counter, ...otp } = meta.otp as { counter?: number } & Record<string, unknown>;
  const merged: ActivationSettings = {
    mode: options.mode ?? meta.mode,
    account: options.account ?? meta.account,
    otp: { ...(otp as ActivationSettings['otp']), ...(options.otp ?? {}) },
    ...(options.lifetimeSeconds !== undefined ? { lifetimeSeconds: options.lifetimeSeconds } : {}),
  };
  const activation = await startActivation(ctx, old.userId, merged);
  let revoked = false;
  if (old.status !== 'revoked') revoked = (await revokeEnrolment(ctx, old.id, { reason: 'reissued' })).ok;
  return { ok: true, revoked, activation };
}
