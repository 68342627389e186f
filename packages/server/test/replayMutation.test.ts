// Mutation-style guard of issue 11 §5: the TOTP check's `afterStep` is removed (verifyTotp
// here ignores it), so a replayed code reaches the accept path. Lifting the lock must still
// happen only when the store accepts a NEW step: a replayed code never lowers `failures`.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { activateOnline, codeAt, makeDevice, makeServer, T0, type TestServer } from './helpers.js';

vi.mock('@cloudmfa/otp/server', async (importOriginal) => {
  const otp = await importOriginal<typeof import('@cloudmfa/otp/server')>();
  return { ...otp, verifyTotp: (o: Parameters<typeof otp.verifyTotp>[0]) => otp.verifyTotp({ ...o, afterStep: undefined }) };
});

afterAll(closeBackends);

describe.each(Object.keys(BACKENDS))('a replay never resets the throttle (afterStep removed) on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);
  let t: TestServer;
  beforeEach(() => {
    t = makeServer({ clock: backendNow.clock(), store: () => backendNow.opened().store, policy: { throttle: { freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 60_000, lockoutFailures: 10, lockoutMs: 3_600_000 } } });
  });

  it('a replayed code after guesses keeps failures and the lock', async () => {
    const { identity } = await activateOnline(t, makeDevice('a'));
    const id = identity.enrolmentId;
    const code = codeAt(t, identity.seed);
    expect(await t.server.verifyOtp({ enrolmentId: id, code })).toMatchObject({ ok: true });
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 2; i++) expect(await t.server.verifyOtp({ enrolmentId: id, code: wrong })).toMatchObject({ reason: 'invalid' });
    expect((await t.store.guard.get(id))?.failures).toBe(2);
    // The old code again: counted (3rd failure, sets a 1 s lock), then refused as a replay.
    expect(await t.server.verifyOtp({ enrolmentId: id, code })).toMatchObject({ ok: false, reason: 'replayed' });
    const g = await t.store.guard.get(id);
    expect(g?.failures).toBe(3);
    expect(g?.lockedUntil).toBe(T0 + 1000);
  });
});
