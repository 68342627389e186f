import { bytesToHex, createSoftwareSigner, fixedClock } from '@cloudmfa/core';
import { parseOtpauthUri } from '@cloudmfa/otp';
import { createMemoryStore, type MfaStore } from '@cloudmfa/storage';
import { describe, expect, it } from 'vitest';
import { createMfaServer } from '../src/index.js';
import { activateOnline, codeAt, FAST_KDF, KEK1, KEK2, makeDevice, makeServer, seededRandom, T0, testCrypto, TEST_STORE_DEADLINE_MS } from './helpers.js';

/** A second server over the same store with another key ring: what a deployment does when it rotates. */
function serverWithKeys(store: MfaStore, clock: ReturnType<typeof fixedClock>, kek: { current: string; keys: Record<string, Uint8Array> }) {
  return createMfaServer({
    store,
    keys: { kek, push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') }) },
    issuer: 'Acme Corporation',
    origin: 'https://mfa.acme.example',
    policy: { activation: { kdf: FAST_KDF } },
    clock,
    random: seededRandom('rotated'),
    crypto: testCrypto,
    storeDeadlineMs: TEST_STORE_DEADLINE_MS,
  });
}

describe('seeds at rest', () => {
  it('a dump of the store holds no seed and no activation secret', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const otpauth = await t.server.startActivation({ userId: 'bob', mode: 'otpauth' });
    const seeds = [identity.seed, parseOtpauthUri({ uri: otpauth.uri as string }).secret];
    const records = [...(await t.store.enrolments.listByUser('alice')), ...(await t.store.enrolments.listByUser('bob'))];
    const dump = records.map((r) => bytesToHex(r.secret) + JSON.stringify(r.meta)).join('|');
    for (const seed of seeds) expect(dump).not.toContain(bytesToHex(seed));
    for (const r of records) {
      expect(r.secret[0]).toBe(0x03); // format version (0x03: envelope encryption, bound attributes)
      expect(String.fromCharCode(...r.secret.subarray(2, 2 + (r.secret[1] as number)))).toBe('k1');
    }
  });

  it('a sealed seed moved to another enrolment does not open (ids are associated data)', async () => {
    const t = makeServer();
    const a = await activateOnline(t, makeDevice('a'), { userId: 'alice' });
    const m = await activateOnline(t, makeDevice('m'), { userId: 'mallory' });
    // A database writer copies mallory's sealed seed (which mallory knows) into alice's record.
    const stolen = (await t.store.enrolments.get(m.identity.enrolmentId))?.secret as Uint8Array;
    const target = await t.store.enrolments.get(a.identity.enrolmentId);
    await t.store.enrolments.update(a.identity.enrolmentId, { secret: stolen, expectedVersion: target?.version as number });
    await expect(t.server.verifyOtp({ enrolmentId: a.identity.enrolmentId, code: codeAt(t, m.identity.seed) })).rejects.toMatchObject({
      code: 'ERR_SERVER_DECRYPT',
      message: 'a stored secret could not be opened',
    });
  });

  it('a tampered sealed seed fails with one uninformative code', async () => {
    const t = makeServer();
    const { identity } = await activateOnline(t, makeDevice('a'));
    const rec = await t.store.enrolments.get(identity.enrolmentId);
    const secret = (rec?.secret as Uint8Array).slice();
    secret[secret.length - 1] = (secret[secret.length - 1] as number) ^ 1;
    await t.store.enrolments.update(identity.enrolmentId, { secret, expectedVersion: rec?.version as number });
    const err = await t.server.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_SERVER_DECRYPT', message: 'a stored secret could not be opened' });
    expect((err as Error).cause).toBeUndefined();
  });
});

describe('key rotation', () => {
  it('old key still opens; verify re-seals lazily; rotateKeys re-seals the rest; then the old key can go', async () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const t = makeServer({ store: () => store, clock, kek: { current: 'k1', keys: { k1: KEK1 } } });
    const a = await activateOnline(t, makeDevice('a'), { userId: 'alice' });
    clock.advance(1000);
    const b = await activateOnline(t, makeDevice('b'), { userId: 'alice' });
    const pending = await t.server.startActivation({ userId: 'alice' });
    expect((await t.server.listEnrolments('alice')).map((e) => e.keyId)).toEqual(['k1', 'k1', 'k1']);

    // Rotate: k2 seals, k1 still opens.
    const rotated = serverWithKeys(store, clock, { current: 'k2', keys: { k1: KEK1, k2: KEK2 } });
    expect(await rotated.verifyOtp({ enrolmentId: a.identity.enrolmentId, code: codeAt(t, a.identity.seed) })).toMatchObject({ ok: true });
    expect((await rotated.getEnrolment(a.identity.enrolmentId))?.keyId).toBe('k2');
    expect((await rotated.getEnrolment(b.identity.enrolmentId))?.keyId).toBe('k1');

    // The status says which are not under k2 yet, and changes nothing.
    const before = await rotated.getKeyStatus({ userId: 'alice' });
    // (b and the pending one share a creation time: listed by id then.)
    const byId = (x: { enrolmentId: string }, y: { enrolmentId: string }) => (x.enrolmentId < y.enrolmentId ? -1 : 1);
    expect({ ...before, enrolments: [...before.enrolments].sort(byId) }).toEqual({
      currentKeyId: 'k2',
      enrolments: [
        { enrolmentId: a.identity.enrolmentId, keyId: 'k2', current: true },
        { enrolmentId: b.identity.enrolmentId, keyId: 'k1', current: false },
        { enrolmentId: pending.enrolmentId, keyId: 'k1', current: false },
      ].sort(byId),
      stale: 2,
    });
    expect(await rotated.getKeyStatus({ userId: 'alice' })).toEqual(before);
    expect(await rotated.getKeyStatus()).toEqual({ currentKeyId: 'k2', enrolments: [], stale: 0 });
    expect((await rotated.getKeyStatus({ enrolmentId: b.identity.enrolmentId })).stale).toBe(1);
    for (const bad of [{ userId: '' }, { enrolmentId: 'a b' }, {}, 'alice']) {
      await expect(rotated.getKeyStatus(bad as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    expect(await rotated.rotateKeys({ userId: 'alice' })).toEqual({ examined: 3, rewrapped: 2, current: 1, failed: 0 });
    expect((await rotated.getKeyStatus({ userId: 'alice' })).stale).toBe(0);
    expect((await rotated.listEnrolments('alice')).map((e) => e.keyId)).toEqual(['k2', 'k2', 'k2']);
    expect(await rotated.rotateKeys({ enrolmentId: b.identity.enrolmentId })).toEqual({ examined: 1, rewrapped: 0, current: 1, failed: 0 });

    // k1 removed: everything still opens, including the pending activation's secret.
    const only2 = serverWithKeys(store, clock, { current: 'k2', keys: { k2: KEK2 } });
    clock.advance(30_000);
    expect(await only2.verifyOtp({ enrolmentId: b.identity.enrolmentId, code: codeAt(t, b.identity.seed) })).toMatchObject({ ok: true });
    const device = makeDevice('c');
    const { prepareRedemption } = await import('./helpers.js');
    const { request } = await prepareRedemption(t, pending, device);
    expect((await only2.completeActivation({ request })).ok).toBe(true);
  });

  it('a record sealed under a key that is not configured fails with ERR_SERVER_KEY_UNKNOWN', async () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const t = makeServer({ store: () => store, clock });
    const { identity } = await activateOnline(t, makeDevice('a'));
    const other = serverWithKeys(store, clock, { current: 'k2', keys: { k2: KEK2 } });
    await expect(other.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).rejects.toMatchObject({ code: 'ERR_SERVER_KEY_UNKNOWN' });
  });

  it('the same id with other key bytes fails as a decryption failure', async () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const t = makeServer({ store: () => store, clock });
    const { identity } = await activateOnline(t, makeDevice('a'));
    const wrong = serverWithKeys(store, clock, { current: 'k1', keys: { k1: KEK2 } });
    await expect(wrong.verifyOtp({ enrolmentId: identity.enrolmentId, code: codeAt(t, identity.seed) })).rejects.toMatchObject({ code: 'ERR_SERVER_DECRYPT' });
  });

  it('refuses bad key rings at creation without echoing key material', () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const bad = [
      { current: 'k1', keys: { k1: new Uint8Array(16) } },
      { current: 'k3', keys: { k1: KEK1 } },
      { current: 'k 1', keys: { 'k 1': KEK1 } },
      null,
    ];
    for (const kek of bad) {
      expect(() => serverWithKeys(store, clock, kek as never)).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    }
  });
});

describe('withActor', () => {
  it('names who acted in every entry the operations write; the facade it came from stays unnamed', async () => {
    const t = makeServer();
    const ops = t.server.withActor('ops:alice');
    const a = await ops.startActivation({ userId: 'alice' });
    await t.server.startActivation({ userId: 'bob' });
    await ops.revokeEnrolment({ enrolmentId: a.enrolmentId, reason: 'lost_phone' });
    await ops.withActor('ops:bob').resumePush('alice');
    const entries = (await t.server.queryAudit({ limit: 100 })).events.map((e) => [e.kind, e.userId, e.detail.actor ?? null]);
    expect(entries.reverse()).toEqual([
      ['enrolment.issued', 'alice', 'ops:alice'],
      ['enrolment.issued', 'bob', null],
      ['enrolment.revoked', 'alice', 'ops:alice'],
      ['push.resumed', 'alice', 'ops:bob'],
    ]);
    expect(t.events.map((e) => e.detail.actor ?? null)).toEqual(['ops:alice', null, 'ops:alice', 'ops:bob']);
    for (const bad of ['', 'x'.repeat(257), 'a\nb', 'a\u202eb', 7]) expect(() => t.server.withActor(bad as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
