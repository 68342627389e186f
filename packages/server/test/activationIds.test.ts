// Issue 11 §3 on every real store: an activation id (on the admin page, in enrolment.issued
// audit entries and SIEM events) grants nothing. Stale or bad-MAC requests never revoke; unknown,
// revoked and redeemed ids answer exactly like a bad MAC; the address throttle counts an IPv6
// client by its /64.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { auxGuardId } from '../src/internal/ids.js';
import { makeDevice, makeServer, prepareRedemption, T0, testCrypto, type TestServer } from './helpers.js';

const flipFirst = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
afterAll(closeBackends);

describe.each(Object.keys(BACKENDS))('an activation id grants nothing on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);
  let t: TestServer;
  beforeEach(() => {
    t = makeServer({ clock: backendNow.clock(), store: () => backendNow.opened().store });
  });

  it('stale and bad-MAC requests with only the id never revoke the activation; the genuine device still redeems', async () => {
    const a = await t.server.startActivation({ userId: 'alice' });
    const { request } = await prepareRedemption(t, a, makeDevice('a'));
    // What an attacker can build from the id alone.
    const forged = { ...request, devicePublicKey: request.ephemeralPublicKey, mac: flipFirst(request.mac) };
    for (let i = 0; i < 6; i++) expect(await t.server.completeActivation({ request: { ...forged, createdAt: request.createdAt - 3600 } })).toMatchObject({ reason: 'stale' });
    for (let i = 0; i < 6; i++) expect(await t.server.completeActivation({ request: forged })).toMatchObject({ reason: 'invalid' });
    expect((await t.server.getEnrolment(a.enrolmentId))?.status).toBe('pending');
    expect(t.events.map((e) => e.kind)).not.toContain('enrolment.revoked');
    expect(await t.server.completeActivation({ request: request })).toMatchObject({ ok: true });
  });

  it('unknown, revoked and redeemed ids answer exactly like a bad MAC', async () => {
    const pending = await t.server.startActivation({ userId: 'alice' });
    const p = await prepareRedemption(t, pending, makeDevice('a'));
    const badMac = await t.server.completeActivation({ request: { ...p.request, mac: flipFirst(p.request.mac) } });

    const unknown = await t.server.completeActivation({ request: { ...p.request, activationId: 'AAAAAAAAAAAAAAAAAAAAAA' } });

    const revokedA = await t.server.startActivation({ userId: 'bob' });
    const r = await prepareRedemption(t, revokedA, makeDevice('b'));
    await t.server.revokeEnrolment({ enrolmentId: revokedA.enrolmentId });
    const revoked = await t.server.completeActivation({ request: { ...r.request, mac: flipFirst(r.request.mac) } });

    const redeemedA = await t.server.startActivation({ userId: 'carol' });
    const d = await prepareRedemption(t, redeemedA, makeDevice('c'));
    expect(await t.server.completeActivation({ request: d.request })).toMatchObject({ ok: true });
    const redeemed = await t.server.completeActivation({ request: { ...d.request, mac: flipFirst(d.request.mac) } });

    expect(badMac).toEqual({ ok: false, reason: 'invalid', retryAfterMs: null });
    for (const other of [unknown, revoked, redeemed]) expect(other).toEqual(badMac);
  });

  it('throttles an IPv6 client by its /64, counting before checking', async () => {
    const t6 = makeServer({ clock: t.clock, store: () => backendNow.opened().store, policy: { activation: { ipThrottle: { freeFailures: 2, baseDelayMs: 10_000, maxDelayMs: 10_000, lockoutFailures: 5, lockoutMs: 60_000 } } } });
    const junk = { version: 1 };
    const ips = ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:0db8:0001:0002:0:0:0:abcd'];
    for (const clientIp of ips) expect(await t6.server.completeActivation({ request: junk, clientIp })).toMatchObject({ reason: 'malformed' });
    expect(await t6.server.completeActivation({ request: junk, clientIp: '2001:db8:1:2:1234::1' })).toEqual({ ok: false, reason: 'throttled', retryAfterMs: 10_000 });
    // Another /64 is not affected.
    expect(await t6.server.completeActivation({ request: junk, clientIp: '2001:db8:1:3::1' })).toMatchObject({ reason: 'malformed' });
    // Parallel attempts: counted first, so no more than the free budget get past.
    const burst = await Promise.all(Array.from({ length: 10 }, () => t6.server.completeActivation({ request: junk, clientIp: '198.51.100.7' })));
    expect(burst.filter((x) => !x.ok && x.reason === 'malformed').length).toBeLessThanOrEqual(3);
  });

  it('the address throttle is time-based: an address is forgotten, and its row removed, after its window', async () => {
    const ipThrottle = { freeFailures: 2, baseDelayMs: 10_000, maxDelayMs: 10_000, lockoutFailures: 5, lockoutMs: 60_000, forgetAfterMs: 600_000 };
    const tw = makeServer({ clock: t.clock, store: () => backendNow.opened().store, policy: { activation: { ipThrottle } } });
    const junk = { version: 1 };
    const clientIp = '198.51.100.9';
    const row = auxGuardId(testCrypto, 'i', clientIp);
    for (let i = 0; i < 5; i++) {
      await tw.server.completeActivation({ request: junk, clientIp });
      t.clock.advance(10_000);
    }
    expect(await tw.server.completeActivation({ request: junk, clientIp })).toMatchObject({ reason: 'throttled' });
    expect((await tw.store.guard.get(row))?.failures).toBeGreaterThanOrEqual(5);
    // The lock (60 s) ends, then the window (10 min) passes with no attempt.
    t.clock.advance(60_000 + 600_000);
    expect(await tw.store.guard.get(row)).toBeNull();
    expect(await tw.server.completeActivation({ request: junk, clientIp })).toMatchObject({ reason: 'malformed' });
    expect(await tw.store.guard.get(row)).toMatchObject({ failures: 1 });
  });
});
