// Issue 11 §7 on every real store: the device key and the OTP parameters are bound to the
// sealed seed. A database writer who swaps in their own device key cannot approve a push; a
// row sealed the old way (ids only) still opens and is re-sealed with the bound attributes.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { activateOnline, answerPush, codeAt, legacySeal, makeDevice, makeServer, numberOf, T0, type TestServer } from './helpers.js';

afterAll(closeBackends);

describe.each(Object.keys(BACKENDS))('bound attributes on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);
  let t: TestServer;
  beforeEach(() => {
    t = makeServer({ clock: backendNow.clock(), store: () => backendNow.opened().store });
  });

  it('a device key swapped in the database cannot approve a push: refused as tampered, audited', async () => {
    const device = makeDevice('a');
    const { identity } = await activateOnline(t, device);
    const attacker = makeDevice('mallory');
    const rec = await t.store.enrolments.get(identity.enrolmentId);
    if (!rec) throw new Error('no record');
    const meta = rec.meta as { device: { publicKey: string } };
    const swapped = { ...rec.meta, device: { ...meta.device, publicKey: Buffer.from(attacker.signer.publicKey).toString('base64url') } };
    expect(await t.store.enrolments.update(rec.id, { meta: swapped })).toMatchObject({ ok: true });
    const c = await t.server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' } });
    if (!c.ok) throw new Error('no challenge');
    const forged = await answerPush(t, identity, attacker, c.token, 'confirm', numberOf(c));
    expect(await t.server.submitPushResponse(forged)).toEqual({ ok: false, reason: 'tampered', challengeId: c.challengeId });
    expect((await t.server.getChallengeStatus(c.challengeId))?.status).toBe('pending');
    expect(t.events.map((e) => e.kind)).not.toContain('push.approved');
    expect(t.events.at(-1)).toMatchObject({ kind: 'enrolment.tampered', risk: true, enrolmentId: rec.id });
  });

  it('a row sealed the old way (ids only) opens, verifies a code and is re-sealed in the current format', async () => {
    const { identity } = await activateOnline(t, makeDevice('a'));
    const rec = await t.store.enrolments.get(identity.enrolmentId);
    if (!rec) throw new Error('no record');
    const legacy = await legacySeal(identity.seed, rec.id, rec.userId);
    expect(await t.store.enrolments.update(rec.id, { secret: legacy })).toMatchObject({ ok: true });
    expect(await t.server.verifyOtp({ enrolmentId: rec.id, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    const after = await t.store.enrolments.get(rec.id);
    expect(after?.secret[0]).toBe(0x03); // re-sealed by envelope encryption (docs/server.md section 2)
    t.clock.advance(30_000);
    expect(await t.server.verifyOtp({ enrolmentId: rec.id, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
  });
});
