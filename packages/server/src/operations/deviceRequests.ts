import { peekDeviceRequest, verifyDeviceRequest } from '@cloudmfa/push/server';
import { record } from '../internal/audit.js';
import { nowOf, type ServerContext } from '../internal/context.js';
import { isStorageId } from '../internal/ids.js';
import { deviceKeyOf, type EnrolmentMeta, metaToJson, readMeta } from '../internal/meta.js';
import type { DeviceRequestResult } from '../types.js';

/** Verifies a device request against the enrolment it names (device-signed, +-maxSkewMs). */
async function verified(
  ctx: ServerContext,
  request: unknown,
  action: 'push-token' | 'unregister',
): Promise<
  | { ok: true; enrolment: NonNullable<Awaited<ReturnType<ServerContext['store']['enrolments']['get']>>>; meta: EnrolmentMeta; pushToken: string | null }
  | Extract<DeviceRequestResult, { ok: false }>
> {
  if (typeof request !== 'string') return { ok: false, reason: 'malformed' };
  const peek = peekDeviceRequest(request);
  if (!peek.ok) return { ok: false, reason: 'malformed' };
  if (!isStorageId(peek.enrolmentId)) return { ok: false, reason: 'not_found' };
  const enrolment = await ctx.store.enrolments.get(peek.enrolmentId);
  if (!enrolment) return { ok: false, reason: 'not_found' };
  const meta = enrolment.status === 'active' ? readMeta(enrolment) : null;
  const key = meta ? deviceKeyOf(meta) : null;
  if (!meta || !key) return { ok: false, reason: 'not_active' };
  const now = nowOf(ctx);
  const r = await verifyDeviceRequest({
    request,
    devicePublicKey: key,
    expectedEnrolmentId: enrolment.id,
    expectedAction: action,
    now: () => now,
    maxSkewMs: ctx.policy.push.maxSkewMs,
    crypto: ctx.crypto,
  });
  if (!r.ok) return { ok: false, reason: r.reason };
  return { ok: true, enrolment, meta, pushToken: r.pushToken };
}

/**
 * The device replaces its push token (docs/server.md 7.1): a device-signed request; the
 * enrolment's meta is updated with a compare-and-set. Never throws on the request.
 */
export async function updateDevicePushToken(ctx: ServerContext, request: unknown): Promise<DeviceRequestResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const v = await verified(ctx, request, 'push-token');
    if (!v.ok) return v;
    const device = v.meta.device;
    if (!device) return { ok: false, reason: 'not_active' };
    if (device.pushToken === v.pushToken) return { ok: true, enrolmentId: v.enrolment.id };
    const next: EnrolmentMeta = { ...v.meta, device: { ...device, pushToken: v.pushToken } };
    const r = await ctx.store.enrolments.update(v.enrolment.id, { meta: metaToJson(next), expectedVersion: v.enrolment.version });
    if (r.ok) return { ok: true, enrolmentId: v.enrolment.id };
    if (r.reason !== 'version_mismatch') return { ok: false, reason: r.reason === 'not_found' ? 'not_found' : 'not_active' };
    // Lost a race with another writer: read again and retry (the request is still valid).
  }
  return { ok: false, reason: 'conflict' };
}

/**
 * The device unregisters itself (the app's remove, docs/server.md 7.1): a device-signed
 * request revokes the enrolment, audited `enrolment.revoked` with reason `device_removed`.
 * Idempotent: a repeated request finds the enrolment revoked and answers `not_active`.
 */
export async function unregisterDevice(ctx: ServerContext, request: unknown): Promise<DeviceRequestResult> {
  const v = await verified(ctx, request, 'unregister');
  if (!v.ok) return v;
  const r = await ctx.store.enrolments.revoke(v.enrolment.id);
  if (!r.ok) return { ok: false, reason: r.reason === 'not_found' ? 'not_found' : 'not_active' };
  await record(ctx, 'enrolment.revoked', { enrolmentId: v.enrolment.id, userId: v.enrolment.userId, detail: { reason: 'device_removed' } });
  return { ok: true, enrolmentId: v.enrolment.id };
}
