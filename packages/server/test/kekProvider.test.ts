// The KEK provider seam (docs/server.md section 2.1) with the in-memory ring as the provider:
// how provider failures surface, the bounds of the data-key cache, and migrating from an
// in-memory ring to a provider with `legacyKek`. (The PKCS#11 provider runs the same server
// flows against SoftHSM2 in packages/kek-pkcs11.)
import { encodeBase64Url, fixedClock, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { createPushChallenge } from '@cloudmfa/push/server';
import { createMemoryStore } from '@cloudmfa/storage';
import { describe, expect, it } from 'vitest';
import { createHttpHandler, createKeyRing, type KekProvider } from '../src/index.js';
import { activateOnline, answerPush, codeAt, KEK1, KEK2, legacySeal, makeDevice, makeServer, prepareRedemption, seededRandom, T0 } from './helpers.js';
import { documented } from './openapi.js';

/** The in-memory ring, with its calls counted and an unwrap fault that a test can switch on. */
function instrumented(inner: KekProvider) {
  const calls = { wrap: 0, unwrap: 0 };
  let fault: (() => unknown) | null = null;
  const provider: KekProvider = {
    currentKeyId: inner.currentKeyId,
    wrapKey: (o) => {
      calls.wrap++;
      return inner.wrapKey(o);
    },
    unwrapKey: async (o) => {
      calls.unwrap++;
      if (fault) return fault() as Uint8Array;
      return inner.unwrapKey(o);
    },
  };
  return { provider, calls, failWith: (f: (() => unknown) | null) => void (fault = f) };
}

const ring = () => createKeyRing({ current: 'k1', keys: { k1: KEK1 } });

describe('KEK provider failures', () => {
  it('a provider error becomes ERR_KEK_UNAVAILABLE with no cause and nothing of what the provider said', async () => {
    const p = instrumented(ring());
    const t = makeServer({ kek: p.provider, keys: { dataKeyCache: { maxEntries: 0 } } });
    const { identity } = await activateOnline(t, makeDevice('a'));
    p.failWith(() => {
      throw new Error('KMS refused wrapped key 0xDEADBEEF for context alice');
    });
    const err = (await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('ERR_KEK_UNAVAILABLE');
    expect(err.cause).toBeUndefined();
    expect(err.message).not.toMatch(/DEADBEEF|alice|KMS/);
    // The guard consumed nothing: the same code verifies once the provider is back.
    p.failWith(null);
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
  });

  it('the provider codes for "not authentic" and "unknown key" keep their meaning; an unwrap of the wrong length is a decryption failure', async () => {
    const p = instrumented(ring());
    const t = makeServer({ kek: p.provider, keys: { dataKeyCache: { maxEntries: 0 } } });
    const { identity } = await activateOnline(t, makeDevice('a'));
    const verify = () => t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) });
    const { CloudMfaError } = await import('@cloudmfa/core');
    p.failWith(() => {
      throw new CloudMfaError('ERR_SERVER_DECRYPT', 'tag mismatch for key 0xDEADBEEF');
    });
    await expect(verify()).rejects.toMatchObject({ code: 'ERR_SERVER_DECRYPT', message: 'a stored secret could not be opened' });
    p.failWith(() => {
      throw new CloudMfaError('ERR_SERVER_KEY_UNKNOWN', 'no key k1');
    });
    await expect(verify()).rejects.toMatchObject({ code: 'ERR_SERVER_KEY_UNKNOWN' });
    p.failWith(() => new Uint8Array(16));
    await expect(verify()).rejects.toMatchObject({ code: 'ERR_SERVER_DECRYPT' });
  });

  it('a wrap that returns no key id or an oversized wrapped key is refused, and nothing is stored', async () => {
    const inner = ring();
    for (const bad of [{ keyId: 'k 1', wrappedKey: new Uint8Array(60) }, { keyId: 'k1', wrappedKey: new Uint8Array(1025) }, null]) {
      const t = makeServer({ kek: { currentKeyId: 'k1', wrapKey: async () => bad as never, unwrapKey: (o) => inner.unwrapKey(o) } });
      await expect(t.server.startActivation({ userId: 'alice' })).rejects.toMatchObject({ code: 'ERR_KEK_UNAVAILABLE' });
      expect(await t.store.enrolments.listByUser('alice')).toEqual([]);
    }
  });

  it('the device routes answer 503 while the provider is unavailable', async () => {
    const p = instrumented(ring());
    const t = makeServer({ kek: p.provider, keys: { dataKeyCache: { maxEntries: 0 } } });
    const activation = await t.server.startActivation({ userId: 'alice' });
    const { request } = await prepareRedemption(t, activation, makeDevice('a'));
    p.failWith(() => {
      throw new Error('connection reset');
    });
    const handler = documented(createHttpHandler({ server: t.server, basePath: '/mfa' }), '/mfa');
    const res = await handler(new Request('https://mfa.acme.example/mfa/v1/activations/redeem', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) }));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'ERR_HTTP_UNAVAILABLE' } });
    p.failWith(null);
    expect((await t.server.completeActivation({ request })).ok).toBe(true);
  });

  it('refuses a provider without the seam and legacyKek beside an in-memory ring', () => {
    expect(() => makeServer({ kek: { currentKeyId: 'k1' } as never })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    expect(() => makeServer({ kek: { ...ring(), currentKeyId: 'bad id' } })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    expect(() => makeServer({ keys: { legacyKek: { current: 'k1', keys: { k1: KEK1 } } } })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    for (const dataKeyCache of [{ maxEntries: -1 }, { ttlMs: 0 }, { maxEntries: 1.5 }]) {
      expect(() => makeServer({ keys: { dataKeyCache } })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    }
  });
});

describe('the data-key cache', () => {
  it('reuses an unwrapped key until ttlMs, by the server clock', async () => {
    const p = instrumented(ring());
    const clock = fixedClock(T0);
    const t = makeServer({ clock, kek: p.provider, keys: { dataKeyCache: { ttlMs: 60_000 } } });
    const { identity } = await activateOnline(t, makeDevice('a'));
    const verify = async () => expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    await verify();
    const after1 = p.calls.unwrap;
    clock.advance(30_000);
    await verify();
    expect(p.calls.unwrap).toBe(after1); // cached
    clock.advance(30_000);
    await verify();
    expect(p.calls.unwrap).toBe(after1 + 1); // 60 s after the unwrap: expired, unwrapped again
  });

  it('serves a cached key only for the wrapped key it was unwrapped from', async () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const p = instrumented(ring());
    const t = makeServer({ clock, store: () => store, kek: p.provider });
    const { identity } = await activateOnline(t, makeDevice('a'));
    expect(await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).toMatchObject({ ok: true });
    const unwraps = p.calls.unwrap;
    // Format 0x03: 0x03, len(kid), kid ('k1'), u16 len(wrapped), wrapped, nonce, ciphertext.
    const rec = await store.enrolments.get(identity.enrolmentId);
    const secret = Uint8Array.from(rec?.secret as Uint8Array);
    secret[6] = (secret[6] as number) ^ 1;
    await store.enrolments.update(identity.enrolmentId, { secret, expectedVersion: rec?.version as number });
    clock.advance(30_000);
    await expect(t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).rejects.toMatchObject({ code: 'ERR_SERVER_DECRYPT' });
    expect(p.calls.unwrap).toBe(unwraps + 1);
  });

  it('holds at most maxEntries keys, least recently used out first; 0 turns it off', async () => {
    for (const [maxEntries, extra] of [
      [0, 4],
      [1, 4],
      [2, 0],
    ] as const) {
      const p = instrumented(ring());
      const t = makeServer({ kek: p.provider, keys: { dataKeyCache: { maxEntries } } });
      const a = (await activateOnline(t, makeDevice('a'), { userId: 'alice' })).identity;
      const b = (await activateOnline(t, makeDevice('b'), { userId: 'bob' })).identity;
      // Warm: one verify each (each may unwrap).
      for (const id of [a, b]) expect(await t.server.verifyOtp({ enrolmentId: id.enrolmentId, code: codeAt(t, id.seed) })).toMatchObject({ ok: true });
      const warm = p.calls.unwrap;
      for (let i = 1; i <= 2; i++) {
        t.clock.advance(30_000);
        for (const id of [a, b]) expect(await t.server.verifyOtp({ enrolmentId: id.enrolmentId, code: codeAt(t, id.seed) })).toMatchObject({ ok: true });
      }
      expect({ maxEntries, unwraps: p.calls.unwrap - warm }).toEqual({ maxEntries, unwraps: extra });
    }
  });
});

describe('migrating from an in-memory ring to a provider', () => {
  it('legacyKek opens the rows sealed before (0x03 and 0x01) until rotation re-wraps them; without it they name an unknown key', async () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const before = makeServer({ clock, store: () => store, kek: { current: 'k1', keys: { k1: KEK1 } } });
    const a = (await activateOnline(before, makeDevice('a'), { userId: 'alice' })).identity;
    const b = (await activateOnline(before, makeDevice('b'), { userId: 'bob' })).identity;
    const rec = await store.enrolments.get(b.enrolmentId);
    await store.enrolments.update(b.enrolmentId, { secret: await legacySeal(b.seed, b.enrolmentId, 'bob'), expectedVersion: rec?.version as number });

    const provider = createKeyRing({ current: 'hsm-1', keys: { 'hsm-1': KEK2 } });
    const without = makeServer({ clock, store: () => store, kek: provider, seed: 'without' });
    await expect(without.server.verifyOtp({ enrolmentId: a.enrolmentId, code: codeAt(without, a.seed) })).rejects.toMatchObject({ code: 'ERR_SERVER_KEY_UNKNOWN' });
    await expect(without.server.verifyOtp({ enrolmentId: b.enrolmentId, code: codeAt(without, b.seed) })).rejects.toMatchObject({ code: 'ERR_SERVER_KEY_UNKNOWN' });

    const migrating = makeServer({ clock, store: () => store, kek: provider, keys: { legacyKek: { current: 'k1', keys: { k1: KEK1 } } }, seed: 'migrating' });
    expect(await migrating.server.rotateAllKeys({ userIds: ['alice', 'bob'] })).toMatchObject({ users: 2, rewrapped: 2, failed: 0 });
    clock.advance(30_000);
    for (const id of [a, b]) {
      expect((await without.server.getEnrolment(id.enrolmentId))?.keyId).toBe('hsm-1');
      expect(await without.server.verifyOtp({ enrolmentId: id.enrolmentId, code: codeAt(without, id.seed) })).toMatchObject({ ok: true });
    }
  });
});

describe('push numbers stored before envelope encryption', () => {
  it('a challenge whose number MAC was made with HMAC(KEK, label) is still checked: the right number approves, a wrong one denies', async () => {
    for (const [answer, status] of [
      ['right', 'approved'],
      ['wrong', 'denied'],
    ] as const) {
      const t = makeServer();
      const device = makeDevice('a');
      const { identity } = await activateOnline(t, device);
      // A challenge as the server wrote it before: numberMac = HMAC(HMAC(KEK, label), id || 0 || number), no numberKey.
      const created = await createPushChallenge({ enrolmentId: identity.enrolmentId, context: { service: 'Acme VPN' }, signer: t.pushSigner, numberMatch: true, ttlSeconds: 120, now: t.clock, random: seededRandom('old-challenge') });
      const number = created.record.number as string;
      const c = pureJsCryptoProvider;
      const mac = c.hmac('SHA256', c.hmac('SHA256', KEK1, utf8Encode('cloudmfa/server/mac/push-number/v1')), utf8Encode(`${created.record.id}\u0000${number}`));
      const meta = { v: 1, token: created.token, hash: created.record.hash, issuedAt: created.record.issuedAt, numberMatch: true, numberMac: encodeBase64Url(mac), numberKeyId: 'k1', numberDigits: number.length };
      expect(await t.store.challenges.create({ id: created.record.id, enrolmentId: identity.enrolmentId, userId: 'alice', expiresAt: created.record.expiresAt, meta })).toMatchObject({ ok: true });
      const typed = answer === 'right' ? number : number === '10' ? '11' : '10';
      const response = await answerPush(t, identity, device, created.token, 'confirm', { number: typed });
      expect(await t.server.submitPushResponse(response)).toMatchObject({ ok: true, status });
    }
  });
});
