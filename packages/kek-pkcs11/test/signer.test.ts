// The ES256 push signer with its P-256 private key in a SoftHSM2 token of this file's own: a
// challenge signed in the token verifies with the SDK's verifier (and the server's own push
// flow works with it, end to end to the phone's answer).
import { verifyPushChallenge } from '@cloudmfa/push';
import { createPushChallenge } from '@cloudmfa/push/server';
import { fixedClock, isLowS } from '@cloudmfa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOnline, answerPush, makeDevice, makeServer, numberOf, seededRandom, T0 } from '../../server/test/helpers.js';
import { createPkcs11Signer, generatePkcs11SigningKey, openPkcs11Token, type Pkcs11Token } from '../src/index.js';
import { INTERNALS } from '../src/openPkcs11Token.js';
import pkcs11js from 'pkcs11js';
import { createSoftHsm, PIN, type SoftHsm, TOKEN_LABEL } from './softhsm.js';

let hsm: SoftHsm;
let token: Pkcs11Token;
let publicKey: Uint8Array;

beforeAll(async () => {
  hsm = createSoftHsm();
  token = openPkcs11Token({ library: hsm.library, tokenLabel: TOKEN_LABEL, pin: PIN });
  publicKey = await generatePkcs11SigningKey({ token, label: 'push-1' });
});

afterAll(() => {
  token?.close();
  hsm?.remove();
});

describe('PKCS#11 ES256 signer on SoftHSM2', () => {
  it('a challenge signed in the token verifies with verifyPushChallenge; a signature is raw r || s with low S', async () => {
    const signer = await createPkcs11Signer({ token, keyLabel: 'push-1' });
    expect(signer.algorithm).toBe('ES256');
    expect(signer.publicKey).toEqual(publicKey);
    const now = fixedClock(T0);
    const random = seededRandom('challenges');
    for (let i = 0; i < 8; i++) {
      const created = await createPushChallenge({ enrolmentId: `enr-${i}`, context: { service: 'Acme VPN' }, signer, numberMatch: false, ttlSeconds: 120, now, random });
      const verified = await verifyPushChallenge({ challenge: created.token, serverKey: { algorithm: 'ES256', publicKey }, expectedEnrolmentId: `enr-${i}`, now });
      expect(verified).toMatchObject({ ok: true });
      // Against another key it does not verify: the check is real.
      const other = await verifyPushChallenge({ challenge: created.token, serverKey: { algorithm: 'ES256', publicKey: makeDevice('x').signer.publicKey }, expectedEnrolmentId: `enr-${i}`, now });
      expect(other).toMatchObject({ ok: false, reason: 'bad_signature' });
    }
    for (let i = 0; i < 16; i++) {
      const sig = await signer.sign(new TextEncoder().encode(`message ${i}`));
      expect(sig.length).toBe(64);
      expect(isLowS(sig)).toBe(true);
    }
  });

  it('the private key cannot be read out of the token', async () => {
    const t = INTERNALS.get(token);
    if (!t) throw new Error('no internals');
    const [handle] = await t.find([
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_LABEL, value: 'push-1' },
    ]);
    await expect(t.run(async (s) => t.module.C_GetAttributeValue(s, handle as Buffer, [{ type: pkcs11js.CKA_VALUE }]))).rejects.toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
  });

  it('the server signs its pushes in the token: the app pins that key at redemption and approves', async () => {
    const push = await createPkcs11Signer({ token, keyLabel: 'push-1' });
    const t = makeServer({ keys: { push } });
    const device = makeDevice('a');
    const { identity } = await activateOnline(t, device);
    expect(identity.pushKey.publicKey).toEqual(publicKey);
    const c = await t.server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' } });
    if (!c.ok) throw new Error('no challenge');
    const answer = await answerPush(t, identity, device, c.token, 'confirm', numberOf(c));
    expect(await t.server.submitPushResponse(answer)).toMatchObject({ ok: true, status: 'approved' });
  });

  it('a missing key is ERR_PKCS11_CONFIG; a closed token makes signing fail with ERR_SIGNER_FAILED', async () => {
    await expect(createPkcs11Signer({ token, keyLabel: 'nope' })).rejects.toMatchObject({ code: 'ERR_PKCS11_CONFIG' });
    await expect(generatePkcs11SigningKey({ token, label: 'push-1' })).rejects.toMatchObject({ code: 'ERR_PKCS11_CONFIG' });
    const other = openPkcs11Token({ library: hsm.library, tokenLabel: TOKEN_LABEL, pin: PIN, sessions: 1 });
    const signer = await createPkcs11Signer({ token: other, keyLabel: 'push-1' });
    other.close();
    await expect(signer.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'ERR_SIGNER_FAILED' });
    // The first token is still logged in and signs.
    expect((await (await createPkcs11Signer({ token, keyLabel: 'push-1' })).sign(new Uint8Array([1]))).length).toBe(64);
  });
});
