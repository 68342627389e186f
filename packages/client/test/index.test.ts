// The public index (what works while the vault is locked) is signed by the index key, a device
// key of its own (docs/protocol/vault.md section 12): an edit made while the vault is locked is
// refused (ERR_CLIENT_INDEX), never believed, and the next unlock rebuilds it from the vault.
import { createSoftwareSigner, encodeBase64Url, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { buildApnsPayload, createPushChallenge } from '@cloudmfa/push/server';
import { createMemorySecureStore } from '@cloudmfa/storage';
import { describe, expect, it } from 'vitest';
import { indexKeyHandle, openIndex, sealIndex } from '../src/_index.js';
import { activate, makeWorld, nodeCrypto, seededRandom } from './helpers.js';
import { rejection } from './vault/helpers.js';

const body = utf8Encode(JSON.stringify({ v: 1, identities: [{ id: 'a', name: 'Work', push: { serverKey: { algorithm: 'ES256', publicKey: 'B'.repeat(87) } } }], clock: { offsetMs: 0 } }));

describe('the index record', () => {
  const signer = createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('index key') });

  it('opens what it sealed; every single-bit flip of the record is ERR_CLIENT_INDEX', async () => {
    const record = await sealIndex({ body, signer, keyPrefix: 'cloudmfa' });
    expect(await openIndex({ record, publicKey: signer.publicKey, keyPrefix: 'cloudmfa', crypto: nodeCrypto })).toEqual(body);
    let refused = 0;
    for (let bit = 0; bit < record.length * 8; bit++) {
      const flipped = record.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      const err = await rejection(openIndex({ record: flipped, publicKey: signer.publicKey, keyPrefix: 'cloudmfa', crypto: nodeCrypto }));
      expect(err.code).toBe('ERR_CLIENT_INDEX');
      refused++;
    }
    expect(refused).toBe(record.length * 8);
  });

  it('refuses another key, another key prefix, no key, a truncated record and an unsigned (earlier) index', async () => {
    const record = await sealIndex({ body, signer, keyPrefix: 'cloudmfa' });
    const other = createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('other key') });
    const cases: Array<[Uint8Array, Uint8Array | null, string]> = [
      [record, other.publicKey, 'cloudmfa'],
      [record, signer.publicKey, 'cloudmfa2'],
      [record, null, 'cloudmfa'],
      [record.slice(0, 68), signer.publicKey, 'cloudmfa'],
      [body, signer.publicKey, 'cloudmfa'],
      [new Uint8Array(0), signer.publicKey, 'cloudmfa'],
    ];
    for (const [r, publicKey, keyPrefix] of cases) {
      const err = await rejection(openIndex({ record: r, publicKey, keyPrefix, crypto: nodeCrypto }));
      expect(err.code).toBe('ERR_CLIENT_INDEX');
      expect(err.message).not.toContain('Work');
    }
  });
});

describe('the engine and its index', () => {
  async function lockedPhone() {
    const w = makeWorld({ app: { pinRequired: true } });
    const store = createMemorySecureStore();
    const auth = await w.phone({ store });
    const id = await activate(w, auth, 'alice');
    auth.lock();
    return { w, store, id, enrolmentId: auth.get(id)?.push?.enrolmentId as string };
  }

  it('a signed index works while locked across a restart', async () => {
    const { w, store, id } = await lockedPhone();
    const restarted = await w.phone({ store });
    expect(restarted.status().state).toBe('locked');
    expect(restarted.indexStatus()).toBe('ok');
    expect(restarted.list().map((i) => i.id)).toEqual([id]);
    const p = await w.mfa.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' }, numberMatch: false });
    if (!p.ok) throw new Error(p.reason);
    expect(await restarted.receiveNotification(p.apns.payload)).toEqual({ ok: true, requestId: p.challengeId });
    await w.close();
  });

  it('an index edited while locked (pinned key swapped) is refused: no forged push is shown; unlock rebuilds it', async () => {
    const { w, store, id, enrolmentId } = await lockedPhone();
    const attacker = createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('attacker') });
    const record = (await store.get('cloudmfa.index')) as Uint8Array;
    // The body is the JSON after the 5-byte head and the 64-byte signature.
    const text = utf8Decode(record.subarray(69));
    const state = JSON.parse(text) as { identities: { push: { serverKey: { publicKey: string } } }[] };
    (state.identities[0] as (typeof state.identities)[0]).push.serverKey.publicKey = encodeBase64Url(attacker.publicKey);
    const forgedIndex = utf8Encode(JSON.stringify(state));
    const forged = await createPushChallenge({ enrolmentId, context: { service: 'Acme VPN', message: 'Approve me' }, signer: attacker, now: w.clock, random: seededRandom('forged') });
    // Both ways of writing the edit: keeping the old signature, and as an unsigned index.
    for (const edited of [new Uint8Array([...record.subarray(0, 69), ...forgedIndex]), forgedIndex]) {
      await store.set('cloudmfa.index', edited);
      const phone = await w.phone({ store });
      expect(phone.indexStatus()).toBe('refused');
      expect(phone.list()).toEqual([]);
      expect(await phone.receiveNotification(buildApnsPayload({ challenge: forged }).payload)).toEqual({ ok: false, reason: 'unknown-identity' });
      expect(phone.inbox()).toEqual([]);
    }
    // The vault is authoritative: unlocking rebuilds and re-signs the index.
    const phone = await w.phone({ store });
    expect((await phone.unlock('246810')).ok).toBe(true);
    expect(phone.indexStatus()).toBe('ok');
    expect(phone.list().map((i) => i.id)).toEqual([id]);
    await new Promise((r) => setImmediate(r));
    phone.lock();
    const again = await w.phone({ store });
    expect(again.indexStatus()).toBe('ok');
    expect(again.list().map((i) => i.id)).toEqual([id]);
    expect(await again.receiveNotification(buildApnsPayload({ challenge: forged }).payload)).toEqual({ ok: false, reason: 'bad-signature' });
    await w.close();
  });

  it('the index key is a device key of its own, under the engine key prefix', () => {
    expect(indexKeyHandle('cloudmfa')).toBe('index.cloudmfa');
  });
});
