// Rate limits per client address and per user on verifyOtp and createPushChallenge
// (docs/server.md section 12.2): off by default; fixed windows counted in the store's guard, so
// server instances on one store share them; parallel bursts admit exactly `limit` on every
// store; a window's row is forgotten one window after its last count.
import { afterAll, describe, expect, it } from 'vitest';
import type { MfaServerPolicyInput } from '../src/index.js';
import { auxGuardId } from '../src/internal/ids.js';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { activateOnline, codeAt, makeDevice, makeServer, T0, testCrypto } from './helpers.js';

afterAll(closeBackends);

const MIN = 60_000;
/** A result's `reason`, `undefined` on success. */
const reasonOf = (r: object): string | undefined => (r as { reason?: string }).reason;
const CONTEXT = { service: 'Acme VPN' };
const limits = (rateLimits: MfaServerPolicyInput['rateLimits']): { policy: MfaServerPolicyInput } => ({ policy: { rateLimits } });

describe('rate limits (memory store)', () => {
  it('are off by default: nothing is counted', async () => {
    const t = makeServer();
    expect(t.server.policy.rateLimits).toEqual({ verify: { perIp: null, perUser: null }, push: { perIp: null, perUser: null } });
    let counted = 0;
    const recordFailure = t.store.guard.recordFailure.bind(t.store.guard);
    (t.store.guard as { recordFailure: typeof recordFailure }).recordFailure = (...a) => {
      counted++;
      return recordFailure(...a);
    };
    for (let i = 0; i < 50; i++) expect(await t.server.verifyOtp({ userId: 'nobody', code: '123456', clientIp: '203.0.113.7' })).toEqual({ ok: false, reason: 'not_found' });
    expect(counted).toBe(0);
  });

  it('per user on verify: `limit` requests per window, then rate_limited until the window ends', async () => {
    const t = makeServer(limits({ verify: { perUser: { limit: 3, windowMs: MIN } } }));
    for (let i = 0; i < 3; i++) expect(reasonOf(await t.server.verifyOtp({ userId: 'alice', code: '000000' }))).toBe('not_found');
    t.clock.advance(15_000);
    expect(await t.server.verifyOtp({ userId: 'alice', code: '000000' })).toEqual({ ok: false, reason: 'rate_limited', scope: 'user', retryAfterMs: 45_000 });
    // Another user has a budget of their own.
    expect(reasonOf(await t.server.verifyOtp({ userId: 'bob', code: '000000' }))).toBe('not_found');
    t.clock.advance(45_000);
    expect(reasonOf(await t.server.verifyOtp({ userId: 'alice', code: '000000' }))).toBe('not_found');
  });

  it('per address on verify: across users; an IPv6 address counts by its /64', async () => {
    const t = makeServer(limits({ verify: { perIp: { limit: 2, windowMs: MIN } } }));
    expect(reasonOf(await t.server.verifyOtp({ userId: 'alice', code: '1', clientIp: '203.0.113.7' }))).toBe('not_found');
    expect(reasonOf(await t.server.verifyOtp({ userId: 'bob', code: '1', clientIp: '203.0.113.7' }))).toBe('not_found');
    expect(await t.server.verifyOtp({ userId: 'carol', code: '1', clientIp: '203.0.113.7' })).toMatchObject({ reason: 'rate_limited', scope: 'ip' });
    // By enrolment id too, before the id is looked up.
    expect(await t.server.verifyOtp({ enrolmentId: 'AAAAAAAAAAAAAAAAAAAAAA', code: '1', clientIp: '203.0.113.7' })).toMatchObject({ reason: 'rate_limited', scope: 'ip' });
    expect(reasonOf(await t.server.verifyOtp({ userId: 'carol', code: '1', clientIp: '198.51.100.1' }))).toBe('not_found');
    // Without an address, the per-address limit does not apply.
    expect(reasonOf(await t.server.verifyOtp({ userId: 'carol', code: '1' }))).toBe('not_found');
    expect(reasonOf(await t.server.verifyOtp({ userId: 'a', code: '1', clientIp: '2001:db8:0:1::1' }))).toBe('not_found');
    expect(reasonOf(await t.server.verifyOtp({ userId: 'b', code: '1', clientIp: '2001:DB8:0:1:ffff::2' }))).toBe('not_found');
    expect(await t.server.verifyOtp({ userId: 'c', code: '1', clientIp: '2001:db8::1:abcd:0:0:3' })).toMatchObject({ reason: 'rate_limited', scope: 'ip' });
    expect(reasonOf(await t.server.verifyOtp({ userId: 'd', code: '1', clientIp: '2001:db8:0:2::1' }))).toBe('not_found');
  });

  it('a right code refused by the limit is not consumed: the per-enrolment guard is untouched', async () => {
    const t = makeServer(limits({ verify: { perUser: { limit: 1, windowMs: MIN } } }));
    const { identity } = await activateOnline(t, makeDevice('a'));
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: '000000' })).toMatchObject({ ok: false, reason: 'invalid' });
    const before = await t.store.guard.get(identity.enrolmentId);
    const code = codeAt(t, identity.seed);
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code })).toMatchObject({ ok: false, reason: 'rate_limited', scope: 'user' });
    expect(await t.store.guard.get(identity.enrolmentId)).toEqual(before);
    t.clock.advance(MIN);
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
  });

  it('per user and per address on push creation', async () => {
    const t = makeServer(limits({ push: { perUser: { limit: 1, windowMs: MIN }, perIp: { limit: 1, windowMs: MIN } } }));
    await activateOnline(t, makeDevice('a'));
    expect(await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT, clientIp: '203.0.113.7' })).toMatchObject({ ok: true });
    expect(await t.server.createPushChallenge({ userId: 'alice', context: CONTEXT, clientIp: '198.51.100.1' })).toEqual({ ok: false, reason: 'rate_limited', scope: 'user', retryAfterMs: MIN });
    expect(await t.server.createPushChallenge({ userId: 'bob', context: CONTEXT, clientIp: '203.0.113.7' })).toMatchObject({ ok: false, reason: 'rate_limited', scope: 'ip' });
    // Verify and push have budgets of their own.
    expect(reasonOf(await t.server.verifyOtp({ userId: 'alice', code: '1', clientIp: '203.0.113.7' }))).toBe('invalid');
  });

  it('refuses a bad limit with ERR_SERVER_POLICY', () => {
    for (const bad of [{ limit: 0, windowMs: MIN }, { limit: 1, windowMs: 999 }, { limit: 100_000, windowMs: MIN }, { limit: 1, windowMs: MIN, extra: 1 }]) {
      expect(() => makeServer(limits({ verify: { perIp: bad as never } }))).toThrow(expect.objectContaining({ code: 'ERR_SERVER_POLICY' }));
    }
  });
});

describe.each(Object.keys(BACKENDS))('rate limits on %s, two server instances', (backend) => {
  const b = freshBackendPerTest(backend, T0);
  const N = 24;
  const LIMIT = 5;

  it(`${N} parallel verifies of one user from one address admit exactly ${LIMIT}; the window is forgotten a window later`, async () => {
    const policy = limits({ verify: { perUser: { limit: LIMIT, windowMs: MIN }, perIp: { limit: 1000, windowMs: MIN } } });
    const one = makeServer({ ...policy, clock: b.clock(), store: () => b.opened().store });
    const two = makeServer({ ...policy, clock: b.clock(), store: () => b.opened().store, seed: 'second' });
    const results = await Promise.all(Array.from({ length: N }, (_, i) => (i % 2 ? one : two).server.verifyOtp({ userId: 'alice', code: '1', clientIp: '203.0.113.7' })));
    expect(results.filter((r) => reasonOf(r) === 'not_found')).toHaveLength(LIMIT);
    expect(results.filter((r) => reasonOf(r) === 'rate_limited')).toHaveLength(N - LIMIT);
    // The rows: the window's guard (internal id), forgotten one window after its last count.
    const store = b.opened().store;
    const id = (scope: string, subject: string) => auxGuardId(testCrypto, 'l', `verify\u0000${scope}\u0000${MIN}\u0000${Math.floor(T0 / MIN)}\u0000${subject}`);
    expect((await store.guard.get(id('user', 'alice')))?.failures).toBe(N);
    expect((await store.guard.get(id('ip', '203.0.113.7')))?.failures).toBe(N);
    b.clock().advance(2 * MIN);
    expect(await store.guard.get(id('user', 'alice'))).toBeNull();
    expect(await store.guard.get(id('ip', '203.0.113.7'))).toBeNull();
    expect(reasonOf(await one.server.verifyOtp({ userId: 'alice', code: '1' }))).toBe('not_found');
  });
});
