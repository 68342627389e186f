import { createDeviceRequest } from '@cloudmfa/push';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, type Adapter } from './adapters.js';
import { activateOnline, auditKinds, makeDevice, makeServer, ORIGIN, seededRandom, T0 } from './helpers.js';

const post = (path: string, body: unknown) =>
  new Request(`${ORIGIN}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function setup(adapter: Adapter) {
  const t = makeServer();
  const handler = adapter.create(t.server);
  const device = makeDevice('a');
  const send = async (r: unknown) => {
    const res = await handler(post('/v1/activations/redeem', r));
    expect(res.headers.get('x-cloudmfa-server-time')).toBe(String(t.clock()));
    return { ok: true as const, response: await res.json() };
  };
  const { identity } = await activateOnline(t, device, { send });
  const request = (o: { action: 'push-token' | 'unregister'; pushToken?: string | null; signer?: typeof device.signer; at?: number }) =>
    createDeviceRequest({
      enrolmentId: identity.enrolmentId,
      action: o.action,
      ...(o.action === 'push-token' ? { pushToken: o.pushToken ?? null } : {}),
      signer: o.signer ?? device.signer,
      now: () => o.at ?? t.clock(),
      random: seededRandom('req'),
    });
  return { t, handler, identity, request };
}

describe.each(ADAPTERS)('device routes: push token, unregister, server time: $name', (adapter) => {
  it('GET /v1/time tells the server clock', async () => {
    const { t, handler } = await setup(adapter);
    t.clock.set(T0 + 123_456);
    const res = await handler(new Request(`${ORIGIN}/v1/time`));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ serverTime: T0 + 123_456 });
    expect(t.server.serverTime()).toBe(T0 + 123_456);
    expect((await handler(post('/v1/time', {}))).status).toBe(405);
  });

  it('POST /v1/devices/push-token replaces the token; a foreign key or a stale request changes nothing', async () => {
    const { t, handler, identity, request } = await setup(adapter);
    const tokenOf = async () => ((await t.store.enrolments.get(identity.enrolmentId))?.meta as { device: { pushToken: string | null } }).device.pushToken;
    expect(await tokenOf()).toBe('apns-a');
    const res = await handler(post('/v1/devices/push-token', { request: await request({ action: 'push-token', pushToken: 'apns-new' }) }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ enrolmentId: identity.enrolmentId, updated: true });
    expect(await tokenOf()).toBe('apns-new');

    const foreign = await handler(post('/v1/devices/push-token', { request: await request({ action: 'push-token', pushToken: 'evil', signer: makeDevice('x').signer }) }));
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('ERR_PUSH_BAD_SIGNATURE');
    const stale = await handler(post('/v1/devices/push-token', { request: await request({ action: 'push-token', pushToken: 'old', at: t.clock() - 61_000 }) }));
    expect(stale.status).toBe(410);
    // An unregister request is not a push-token request.
    const wrongRoute = await handler(post('/v1/devices/push-token', { request: await request({ action: 'unregister' }) }));
    expect(wrongRoute.status).toBe(403);
    expect(await tokenOf()).toBe('apns-new');
    expect((await handler(post('/v1/devices/push-token', { request: 1 }))).status).toBe(400);
  });

  it('POST /v1/devices/unregister revokes the enrolment, audited; a repeat is 403 not active', async () => {
    const { t, handler, identity, request } = await setup(adapter);
    const res = await handler(post('/v1/devices/unregister', { request: await request({ action: 'unregister' }) }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ enrolmentId: identity.enrolmentId, unregistered: true });
    expect((await t.store.enrolments.get(identity.enrolmentId))?.status).toBe('revoked');
    expect(await auditKinds(t)).toContain('enrolment.revoked');
    const page = await t.server.queryAudit({ enrolmentId: identity.enrolmentId });
    expect(page.events.find((e) => e.kind === 'enrolment.revoked')?.detail).toEqual({ reason: 'device_removed' });
    const again = await handler(post('/v1/devices/unregister', { request: await request({ action: 'unregister' }) }));
    expect(again.status).toBe(403);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ERR_PUSH_NOT_ACTIVE');
    expect(await t.server.verifyOtp({ userId: 'alice', code: '000000' })).toMatchObject({ ok: false });
  });
});
