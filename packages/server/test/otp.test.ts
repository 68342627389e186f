import { createSoftwareSigner, fixedClock } from '@cloudmfa/core';
import { createMemoryStore } from '@cloudmfa/storage';
import { describe, expect, it } from 'vitest';
import { createMfaServer } from '../src/index.js';
import { activateOnline, auditKinds, codeAt, FAST_KDF, KEK1, makeDevice, makeServer, seededRandom, T0, testCrypto, TEST_STORE_DEADLINE_MS } from './helpers.js';

/** A code that is certainly wrong now: the correct one with its last digit changed. */
const wrong = (code: string): string => code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);

describe('verifyOtp', () => {
  it('accepts a code once per time step (RFC 6238 5.2) and refuses its replay', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const code = codeAt(t, identity.seed);
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code })).toMatchObject({ ok: true, delta: 0 });
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code })).toEqual({ ok: false, reason: 'replayed', enrolmentId: identity.enrolmentId });
    // An earlier step still inside the window is a replay too (the step only moves forward).
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed, -1) })).toMatchObject({ ok: false, reason: 'replayed' });
    t.clock.advance(30_000);
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    expect(await auditKinds(t)).toEqual(['enrolment.issued', 'enrolment.redeemed', 'otp.accepted', 'otp.refused', 'otp.refused', 'otp.accepted']);
    // The record names the consumed step (issue 11 §6): which code was spent is auditable.
    const accepted = t.events.filter((e) => e.kind === 'otp.accepted').map((e) => e.detail);
    expect(accepted).toEqual([
      { method: 'totp', delta: 0, step: T0 / 30_000 },
      { method: 'totp', delta: 0, step: T0 / 30_000 + 1 },
    ]);
  });

  it('concurrent verifications of one code: exactly one acceptance', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const code = codeAt(t, identity.seed);
    const results = await Promise.all(Array.from({ length: 20 }, () => t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && (r.reason === 'replayed' || r.reason === 'locked'))).toBe(true);
  });

  it('follows the throttling curve: 3 free failures, then 1 s doubling, lockout at 10, reset on success (RFC 4226 7.3)', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const id = identity.enrolmentId;
    const attempt = () => t.server.verifyOtp({ enrolmentId: id, code: wrong(codeAt(t, identity.seed)) });
    const expected: Array<[number, number | null]> = [
      [1, null],
      [2, null],
      [3, null],
      [4, 1000],
      [5, 2000],
      [6, 4000],
      [7, 8000],
      [8, 16_000],
      [9, 32_000],
      [10, 900_000],
    ];
    for (const [failures, retryAfterMs] of expected) {
      const r = await attempt();
      expect(r).toEqual({ ok: false, reason: 'invalid', detail: 'mismatch', enrolmentId: id, failures, retryAfterMs });
      if (retryAfterMs !== null) {
        // Inside the delay: refused without looking at the code, even a correct one.
        t.clock.advance(retryAfterMs - 1);
        expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed) })).toEqual({ ok: false, reason: 'locked', enrolmentId: id, retryAfterMs: 1 });
        t.clock.advance(1);
      }
    }
    const locked = t.events.filter((e) => e.kind === 'otp.locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ risk: true, detail: { failures: 10 } });
    // After the lockout a correct code is accepted and the count starts again.
    t.clock.advance(30_000);
    expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    expect((await t.store.guard.get(id))?.failures).toBe(0);
    expect(await attempt()).toMatchObject({ failures: 1, retryAfterMs: null });
  });

  it('a correct code after a counted failure past freeFailures lifts the lock it set itself', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const id = identity.enrolmentId;
    for (let i = 0; i < 3; i++) await t.server.verifyOtp({ enrolmentId: id, code: wrong(codeAt(t, identity.seed)) });
    // 4th attempt is counted first (f = 4 sets a 1 s lock), then found correct: accepted.
    expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    expect(await t.store.guard.get(id)).toMatchObject({ failures: 0, lockedUntil: null });
  });

  it('parallel guesses get exactly what sequential ones get (lock check and count are one atomic step)', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const seq = await activateOnline(t, makeDevice('b'), { userId: 'bob' });
    const id = identity.enrolmentId;
    const code = codeAt(t, identity.seed);
    const guesses = Array.from({ length: 50 }, (_, i) => String(i).padStart(6, '0')).filter((g) => g !== code && g !== codeAt(t, seq.identity.seed));
    const results = await Promise.all(guesses.map((g) => t.server.verifyOtp({ enrolmentId: id, code: g })));
    const sequential = [];
    for (const g of guesses) sequential.push(await t.server.verifyOtp({ enrolmentId: seq.identity.enrolmentId, code: g }));
    // freeFailures (3) + 1: the fourth count sets the first delay; every later guess finds it.
    const reasons = (rs: typeof results) => rs.map((r) => (r.ok ? 'ok' : r.reason)).sort();
    expect(reasons(results).filter((r) => r === 'invalid')).toHaveLength(4);
    expect(reasons(results)).toEqual(reasons(sequential));
    // Refused by the lock, not counted: the guard holds the four counted attempts, like the sequential one.
    const parallelState = await t.store.guard.get(id);
    const sequentialState = await t.store.guard.get(seq.identity.enrolmentId);
    expect(parallelState?.failures).toBe(4);
    expect(sequentialState?.failures).toBe(4);
    expect(parallelState?.lockedUntil).toBe(sequentialState?.lockedUntil);
  });

  it('remembers drift: a clock that walks ahead stays accepted; a corrected clock too', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const id = identity.enrolmentId;
    expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed, 1) })).toMatchObject({ ok: true, delta: 1 });
    expect((await t.store.guard.get(id))?.drift).toBe(1);
    t.clock.advance(30_000);
    // Two steps ahead: outside a +-1 window around the server's step, inside it around the drift.
    expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed, 2) })).toMatchObject({ ok: true, delta: 2 });
    // Step s+3 was consumed; at s+4 a phone back on time shows s+4 (two steps behind the drift).
    t.clock.advance(90_000);
    expect(await t.server.verifyOtp({ enrolmentId: id, code: codeAt(t, identity.seed, 0) })).toMatchObject({ ok: true, delta: 0 });
    expect((await t.store.guard.get(id))?.drift).toBe(0);

    // Without the memory, two steps ahead is refused.
    const fresh = await activateOnline(t, makeDevice('b'), { userId: 'bob' });
    expect(await t.server.verifyOtp({ enrolmentId: fresh.identity.enrolmentId, code: codeAt(t, fresh.identity.seed, 2) })).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('by user: any active device verifies; the other devices keep no count from that attempt', async () => {
    const t = makeServer();
    const a = await activateOnline(t, makeDevice('a'));
    t.clock.advance(1000);
    const b = await activateOnline(t, makeDevice('b'));
    const r = await t.server.verifyOtp({ userId: 'alice', code: codeAt(t, b.identity.seed) });
    expect(r).toMatchObject({ ok: true, enrolmentId: b.identity.enrolmentId });
    expect((await t.store.guard.get(a.identity.enrolmentId))?.failures).toBe(0);
    // A wrong code counts on both.
    const miss = await t.server.verifyOtp({ userId: 'alice', code: '000000' === codeAt(t, a.identity.seed) ? '000001' : '000000' });
    expect(miss).toMatchObject({ ok: false, reason: 'invalid' });
    expect((await t.store.guard.get(a.identity.enrolmentId))?.failures).toBe(1);
    expect((await t.store.guard.get(b.identity.enrolmentId))?.failures).toBe(1);
  });

  it('never throws on what the user typed', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const id = identity.enrolmentId;
    for (const code of ['', 'abcdef', '12345', '1234567', ' ', '１２３４５６', 'x'.repeat(10_000), null, 42, {}, [], undefined]) {
      t.clock.advance(60_000); // stay out of the throttle
      await t.server.unlockOtp(id);
      const r = await t.server.verifyOtp({ enrolmentId: id, code: code as string });
      expect(r).toMatchObject({ ok: false, reason: 'invalid' });
    }
    expect(await t.server.verifyOtp({ enrolmentId: 'not an id!', code: '123456' })).toEqual({ ok: false, reason: 'not_found' });
    expect(await t.server.verifyOtp({ enrolmentId: 'AAAAAAAAAAAAAAAAAAAAAA', code: '123456' })).toEqual({ ok: false, reason: 'not_found' });
    expect(await t.server.verifyOtp({ userId: 'nobody', code: '123456' })).toEqual({ ok: false, reason: 'not_found' });
    expect(await t.server.verifyOtp({ userId: 'bad\u0000user', code: '123456' })).toEqual({ ok: false, reason: 'not_found' });
    await expect(t.server.verifyOtp({ code: '123456' } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('a pending online enrolment and a revoked one do not verify codes', async () => {
    const t = makeServer();
    const a = await t.server.startActivation({ userId: 'alice' });
    expect(await t.server.verifyOtp({ enrolmentId: a.enrolmentId, code: '123456' })).toEqual({ ok: false, reason: 'not_active', enrolmentId: a.enrolmentId, status: 'pending' });
    const { identity } = await activateOnline(t, makeDevice('b'), { userId: 'bob' });
    expect(await t.server.revokeEnrolment({ enrolmentId: identity.enrolmentId, reason: 'lost_phone' })).toEqual({ ok: true });
    expect(await t.server.revokeEnrolment({ enrolmentId: identity.enrolmentId })).toEqual({ ok: false, reason: 'already_revoked' });
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toEqual({
      ok: false,
      reason: 'not_active',
      enrolmentId: identity.enrolmentId,
      status: 'revoked',
    });
    expect(await t.server.verifyOtp({ userId: 'bob', code: codeAt(t, identity.seed) })).toMatchObject({ ok: false, reason: 'not_active', status: 'revoked' });
    // The store wiped the sealed seed.
    expect((await t.store.enrolments.get(identity.enrolmentId))?.secret.length).toBe(0);
    expect((await t.server.getEnrolment(identity.enrolmentId))?.keyId).toBeNull();
    expect(t.events.find((e) => e.kind === 'enrolment.revoked')?.detail).toEqual({ reason: 'lost_phone' });
  });

  it('unlockOtp clears a lockout but keeps the replay state', async () => {
    const t = makeServer({ policy: { throttle: { freeFailures: 0, lockoutFailures: 1, lockoutMs: 3_600_000 } } });
    const { identity } = await activateOnline(t, makeDevice('a'));
    const id = identity.enrolmentId;
    const code = codeAt(t, identity.seed);
    expect(await t.server.verifyOtp({ enrolmentId: id, code })).toMatchObject({ ok: true });
    expect(await t.server.verifyOtp({ enrolmentId: id, code: wrong(code) })).toMatchObject({ reason: 'invalid', retryAfterMs: 3_600_000 });
    expect(await t.server.verifyOtp({ enrolmentId: id, code })).toMatchObject({ reason: 'locked' });
    await t.server.unlockOtp(id);
    expect(await t.server.verifyOtp({ enrolmentId: id, code })).toMatchObject({ reason: 'replayed' });
    expect(await auditKinds(t)).toContain('otp.unlocked');
  });

  it('an events sink that throws or rejects cannot break a verification', async () => {
    const clock = fixedClock(T0);
    const server = createMfaServer({
      store: createMemoryStore({ clock }),
      keys: { kek: { current: 'k1', keys: { k1: KEK1 } }, push: createSoftwareSigner({ random: seededRandom('p') }) },
      issuer: 'Acme',
      policy: { activation: { kdf: FAST_KDF } },
      events: (e) => {
        if (e.kind === 'enrolment.issued') throw new Error('sink down');
        return Promise.reject(new Error('sink down'));
      },
      clock,
      random: seededRandom('s'),
      crypto: testCrypto,
      storeDeadlineMs: TEST_STORE_DEADLINE_MS,
    });
    const a = await server.startActivation({ userId: 'u', mode: 'otpauth' });
    expect(a.uri).toMatch(/^otpauth:\/\/totp\//);
    expect(await server.verifyOtp({ enrolmentId: a.enrolmentId, code: '000000' })).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
