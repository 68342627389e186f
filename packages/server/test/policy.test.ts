import { readEnvelopeHeader } from '@cloudmfa/activation';
import { createSoftwareSigner, fixedClock } from '@cloudmfa/core';
import { createMemoryStore, DEFAULT_THROTTLE_POLICY } from '@cloudmfa/storage';
import { describe, expect, it } from 'vitest';
import { createMfaServer, DEFAULT_SERVER_POLICY, resolveServerPolicy } from '../src/index.js';
import { KEK1, makeServer, seededRandom, T0 } from './helpers.js';

describe('policy', () => {
  it('has the documented defaults (docs/server.md section 8)', () => {
    expect(DEFAULT_SERVER_POLICY).toEqual({
      app: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
      otp: {
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
        secretBytes: 20,
        window: { past: 1, future: 1 },
        maxDriftSteps: 4,
        hotpLookAhead: 10,
        hotpResyncLookAhead: 100,
      },
      throttle: { ...DEFAULT_THROTTLE_POLICY },
      activation: {
        lifetimeSeconds: 300,
        maxFailures: 5,
        maxClockSkewSeconds: 600,
        seedExportAllowed: false,
        kdf: { algorithm: 'scrypt' },
        ipThrottle: { freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 60_000, lockoutFailures: 200, lockoutMs: 3_600_000, forgetAfterMs: 3_600_000 },
      },
      push: { ttlSeconds: 120, numberMatchDigits: 2, numberMatch: true, maxPendingPerUser: 3, requireUserVerification: false, suspiciousPauseMs: 900_000, maxSkewMs: 60_000, pollLimit: 10 },
      maxEnrolmentsPerUser: 10,
      rateLimits: { verify: { perIp: null, perUser: null }, push: { perIp: null, perUser: null } },
    });
    expect(Object.isFrozen(DEFAULT_SERVER_POLICY.otp.window)).toBe(true);
  });

  it('merges partial objects at every depth', () => {
    const p = resolveServerPolicy({ otp: { window: { past: 2 } }, throttle: { lockoutFailures: 5 }, app: { pinRequired: false } });
    expect(p.otp.window).toEqual({ past: 2, future: 1 });
    expect(p.otp.digits).toBe(6);
    expect(p.throttle).toEqual({ ...DEFAULT_THROTTLE_POLICY, lockoutFailures: 5 });
    expect(p.app).toEqual({ pinRequired: false, minPinLength: 6, biometricsAllowed: true });
  });

  it('refuses invalid policies with ERR_SERVER_POLICY naming the path', () => {
    const cases: Array<[unknown, string]> = [
      [{ otp: { digits: 5 } }, 'policy.otp.digits'],
      [{ otp: { window: { past: 11 } } }, 'policy.otp.window.past'],
      [{ throttle: { freeFailures: 10, lockoutFailures: 10 } }, 'policy.throttle.freeFailures'],
      [{ throttle: { baseDelayMs: 1.5 } }, 'policy.throttle.baseDelayMs'],
      [{ push: { ttlSeconds: 5 } }, 'policy.push.ttlSeconds'],
      [{ activation: { kdf: { algorithm: 'md5' } } }, 'policy.activation.kdf'],
      [{ activation: { seedExportAllowed: 'yes' } }, 'policy.activation.seedExportAllowed'],
      [{ unknown: true }, 'policy'],
      [{ app: { pinRequired: 'yes' } }, 'policy.app.pinRequired'],
    ];
    for (const [input, path] of cases) {
      let error: unknown;
      try {
        resolveServerPolicy(input as never);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'ERR_SERVER_POLICY' });
      expect((error as Error).message.startsWith(`"${path}`)).toBe(true);
    }
  });

  it('caps the activation lifetime at 65535 s, the envelope\'s 16-bit field, with a message that says so', async () => {
    expect(resolveServerPolicy({ activation: { lifetimeSeconds: 65_535 } }).activation.lifetimeSeconds).toBe(65_535);
    for (const lifetimeSeconds of [65_536, 7 * 24 * 3600]) {
      let error: unknown;
      try {
        resolveServerPolicy({ activation: { lifetimeSeconds } });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'ERR_SERVER_POLICY' });
      expect((error as Error).message).toBe('"policy.activation.lifetimeSeconds": at most 65535 s (18 h 12 min): the envelope stores the lifetime in 16 bits');
    }
    expect(() => resolveServerPolicy({ activation: { lifetimeSeconds: 9 } })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_POLICY' }));
    // The largest lifetime goes through to the envelope and to the record.
    const t = makeServer({ policy: { activation: { lifetimeSeconds: 65_535 } } });
    for (const mode of ['online', 'offline'] as const) {
      const a = await t.server.startActivation({ userId: 'alice', mode });
      expect(a.expiresAt).toBe(T0 + 65_535_000);
      expect(readEnvelopeHeader({ text: a.text }).expiresAt).toBe(T0 + 65_535_000);
    }
  });

  it('createMfaServer validates its options', () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const push = createSoftwareSigner({ random: seededRandom('p') });
    const kek = { current: 'k1', keys: { k1: KEK1 } };
    const ok = { store, keys: { kek, push }, issuer: 'Acme', clock };
    expect(() => createMfaServer(ok)).not.toThrow();
    const bad: Array<Record<string, unknown>> = [
      { ...ok, store: {} },
      { ...ok, keys: { kek } },
      { ...ok, keys: { kek, push: { algorithm: 'RS256', publicKey: new Uint8Array(65), sign: async () => new Uint8Array() } } },
      { ...ok, issuer: '' },
      { ...ok, issuer: 'Evil\u202Ecorp' },
      { ...ok, issuer: 'x'.repeat(65) },
      { ...ok, origin: 'http://mfa.acme.example' },
      { ...ok, origin: 'https://mfa.acme.example/path' },
      { ...ok, events: 'log' },
      { ...ok, clock: 5 },
    ];
    for (const options of bad) expect(() => createMfaServer(options as never)).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    expect(() => createMfaServer({ ...ok, policy: { otp: { period: 0 } } })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_POLICY' }));
    expect(createMfaServer({ ...ok, origin: 'http://localhost:8080' }).policy).toEqual(DEFAULT_SERVER_POLICY);
  });

  it('online mode needs an origin', async () => {
    const clock = fixedClock(T0);
    const server = createMfaServer({
      store: createMemoryStore({ clock }),
      keys: { kek: { current: 'k1', keys: { k1: KEK1 } }, push: createSoftwareSigner({ random: seededRandom('p') }) },
      issuer: 'Acme',
      clock,
      random: seededRandom('s'),
    });
    await expect(server.startActivation({ userId: 'alice' })).rejects.toMatchObject({ code: 'ERR_SERVER_CONFIG' });
  });
});
