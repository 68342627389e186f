// The PKCS#11 KEK provider against a real SoftHSM2 token of this file's own: wrap and unwrap
// in the token, the KEK not extractable, failures as the server's codes; then the server on
// every real store with its KEK in the token, migrated from an in-memory ring by a bulk
// rotation that is interrupted mid-way and resumed.
import type { RedeemedIdentity } from '@cloudmfa/activation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, closeBackends, freshBackendPerTest } from '../../server/test/backends.js';
import { activateOnline, answerPush, codeAt, KEK1, makeDevice, makeServer, numberOf, T0 } from '../../server/test/helpers.js';
import { createPkcs11KekProvider, generatePkcs11Kek, openPkcs11Token, type Pkcs11Token } from '../src/index.js';
import { INTERNALS } from '../src/openPkcs11Token.js';
import pkcs11js from 'pkcs11js';
import { createSoftHsm, PIN, type SoftHsm, TOKEN_LABEL } from './softhsm.js';

let hsm: SoftHsm;
let token: Pkcs11Token;

beforeAll(async () => {
  hsm = createSoftHsm([{ label: 'second', pin: '111111' }]);
  token = openPkcs11Token({ library: hsm.library, tokenLabel: TOKEN_LABEL, pin: PIN });
  await generatePkcs11Kek({ token, label: 'hsm-1' });
  await generatePkcs11Kek({ token, label: 'hsm-2' });
});

afterAll(async () => {
  token?.close();
  hsm?.remove();
  await closeBackends();
});

const aad = new TextEncoder().encode('cloudmfa/server/data-key/v1\0enrolment');

describe('PKCS#11 KEK provider on SoftHSM2', () => {
  it('wraps in the token (AES-GCM, iv || ct || tag) and unwraps under any key it names', async () => {
    const p1 = await createPkcs11KekProvider({ token, currentKeyId: 'hsm-1' });
    const dataKey = new Uint8Array(32).map((_, i) => i);
    const w = await p1.wrapKey({ dataKey, associatedData: aad });
    expect(w.keyId).toBe('hsm-1');
    expect(w.wrappedKey.length).toBe(60);
    expect(Buffer.from(w.wrappedKey).includes(Buffer.from(dataKey))).toBe(false);
    const again = await p1.wrapKey({ dataKey, associatedData: aad });
    expect(Buffer.from(again.wrappedKey)).not.toEqual(Buffer.from(w.wrappedKey)); // a fresh IV each time
    // A provider whose current key is hsm-2 still unwraps what hsm-1 wrapped.
    const p2 = await createPkcs11KekProvider({ token, currentKeyId: 'hsm-2' });
    expect(await p2.unwrapKey({ keyId: 'hsm-1', wrappedKey: w.wrappedKey, associatedData: aad })).toEqual(dataKey);
    expect((await p2.wrapKey({ dataKey, associatedData: aad })).keyId).toBe('hsm-2');
  });

  it('the KEK cannot be read out of the token', async () => {
    const t = INTERNALS.get(token);
    if (!t) throw new Error('no internals');
    const [handle] = await t.find([{ type: pkcs11js.CKA_LABEL, value: 'hsm-1' }]);
    await expect(t.run(async (s) => t.module.C_GetAttributeValue(s, handle as Buffer, [{ type: pkcs11js.CKA_VALUE }]))).rejects.toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
  });

  it('a tampered wrapped key, other associated data, a wrong length: ERR_SERVER_DECRYPT; an unknown id: ERR_SERVER_KEY_UNKNOWN', async () => {
    const p = await createPkcs11KekProvider({ token, currentKeyId: 'hsm-1' });
    const { wrappedKey } = await p.wrapKey({ dataKey: new Uint8Array(32).fill(5), associatedData: aad });
    const flipped = wrappedKey.slice();
    flipped[20] = (flipped[20] as number) ^ 1;
    await expect(p.unwrapKey({ keyId: 'hsm-1', wrappedKey: flipped, associatedData: aad })).rejects.toMatchObject({ code: 'ERR_SERVER_DECRYPT' });
    await expect(p.unwrapKey({ keyId: 'hsm-1', wrappedKey, associatedData: new TextEncoder().encode('other') })).rejects.toMatchObject({ code: 'ERR_SERVER_DECRYPT' });
    await expect(p.unwrapKey({ keyId: 'hsm-1', wrappedKey: wrappedKey.subarray(1), associatedData: aad })).rejects.toMatchObject({ code: 'ERR_SERVER_DECRYPT' });
    await expect(p.unwrapKey({ keyId: 'hsm-9', wrappedKey, associatedData: aad })).rejects.toMatchObject({ code: 'ERR_SERVER_KEY_UNKNOWN' });
    // The right inputs still open after the failures (the session is usable).
    expect(await p.unwrapKey({ keyId: 'hsm-1', wrappedKey, associatedData: aad })).toEqual(new Uint8Array(32).fill(5));
  });

  it('refuses a missing current key, an extractable key, a wrong PIN or token label, without the PIN in the message', async () => {
    await expect(createPkcs11KekProvider({ token, currentKeyId: 'nope' })).rejects.toMatchObject({ code: 'ERR_PKCS11_CONFIG' });
    const t = INTERNALS.get(token);
    if (!t) throw new Error('no internals');
    await t.run(async (s) =>
      t.module.C_GenerateKey(s, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_LABEL, value: 'soft' },
      ]),
    );
    await expect(createPkcs11KekProvider({ token, currentKeyId: 'soft' })).rejects.toMatchObject({ code: 'ERR_PKCS11_CONFIG' });
    await expect(generatePkcs11Kek({ token, label: 'hsm-1' })).rejects.toMatchObject({ code: 'ERR_PKCS11_CONFIG' });
    // Login is per application and token, so a wrong PIN is tried on a token this process has not logged into.
    const wrongPin = (() => {
      try {
        openPkcs11Token({ library: hsm.library, tokenLabel: 'second', pin: '999999' });
      } catch (e) {
        return e as Error & { code: string };
      }
      return null;
    })();
    expect(wrongPin?.code).toBe('ERR_PKCS11_CONFIG');
    expect(wrongPin?.message).toMatch(/CKR_PIN_INCORRECT/);
    expect(wrongPin?.message).not.toContain('999999');
    expect(() => openPkcs11Token({ library: hsm.library, tokenLabel: 'no-such-token', pin: PIN })).toThrow(expect.objectContaining({ code: 'ERR_PKCS11_CONFIG' }));
    expect(() => openPkcs11Token({ library: '/nonexistent/libpkcs11.so', tokenLabel: TOKEN_LABEL, pin: PIN })).toThrow(expect.objectContaining({ code: 'ERR_PKCS11_CONFIG' }));
  });

  it('a closed token makes the provider unavailable', async () => {
    const other = openPkcs11Token({ library: hsm.library, tokenLabel: TOKEN_LABEL, pin: PIN, sessions: 1 });
    const p = await createPkcs11KekProvider({ token: other, currentKeyId: 'hsm-1' });
    other.close();
    await expect(p.wrapKey({ dataKey: new Uint8Array(32), associatedData: aad })).rejects.toMatchObject({ code: 'ERR_KEK_UNAVAILABLE' });
  });
});

describe.each(Object.keys(BACKENDS))('the server with its KEK in SoftHSM2, on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);
  const USERS = ['u1', 'u2', 'u3'];

  it('migrates from the in-memory ring by an interrupted, resumed rotation; then codes and number matching work from the HSM alone', async () => {
    const clock = backendNow.clock();
    const store = () => backendNow.opened().store;
    const before = makeServer({ clock, store, kek: { current: 'k1', keys: { k1: KEK1 } } });
    const ids = new Map<string, { identity: RedeemedIdentity; device: ReturnType<typeof makeDevice> }>();
    for (const u of USERS) {
      const device = makeDevice(u);
      ids.set(u, { identity: (await activateOnline(before, device, { userId: u })).identity, device });
    }

    const kek = await createPkcs11KekProvider({ token, currentKeyId: 'hsm-1' });
    const migrating = makeServer({ clock, store, kek, keys: { legacyKek: { current: 'k1', keys: { k1: KEK1 } } }, seed: 'migrating' });
    const cursors: string[] = [];
    await expect(
      migrating.server.rotateAllKeys({
        userIds: USERS,
        onProgress: (p) => {
          cursors.push(p.cursor);
          if (p.users === 1) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    const keyIds = async () => Promise.all(USERS.map(async (u) => (await migrating.server.listEnrolments(u)).map((e) => e.keyId)));
    expect(await keyIds()).toEqual([['hsm-1'], ['k1'], ['k1']]);
    expect(await migrating.server.rotateAllKeys({ userIds: USERS, cursor: cursors.at(-1) as string })).toMatchObject({ users: 2, rewrapped: 2, failed: 0 });
    expect(await keyIds()).toEqual([['hsm-1'], ['hsm-1'], ['hsm-1']]);

    // The in-memory KEK is gone: the HSM alone opens every seed, and a push with number matching works.
    const hsmOnly = makeServer({ clock, store, kek, seed: 'hsm-only' });
    clock.advance(30_000);
    for (const u of USERS) {
      const { identity } = ids.get(u) as { identity: RedeemedIdentity };
      expect(await hsmOnly.server.verifyOtp({ userId: u, code: codeAt(hsmOnly, identity.seed) })).toMatchObject({ ok: true });
    }
    const { identity, device } = ids.get('u2') as { identity: RedeemedIdentity; device: ReturnType<typeof makeDevice> };
    const c = await hsmOnly.server.createPushChallenge({ userId: 'u2', context: { service: 'Acme VPN' } });
    if (!c.ok) throw new Error('no challenge');
    expect(c.number).not.toBeNull();
    const wrong = await answerPush(hsmOnly, identity, device, c.token, 'confirm', { number: c.number === '10' ? '11' : '10' });
    expect(await hsmOnly.server.submitPushResponse(wrong)).toMatchObject({ ok: true, status: 'denied' });
    const c2 = await hsmOnly.server.createPushChallenge({ userId: 'u2', context: { service: 'Acme VPN' } });
    if (!c2.ok) throw new Error('no challenge');
    const right = await answerPush(hsmOnly, identity, device, c2.token, 'confirm', numberOf(c2));
    expect(await hsmOnly.server.submitPushResponse(right)).toMatchObject({ ok: true, status: 'approved' });
  });
});
