// Bulk rotation (docs/server.md section 2, Rotation) on every real store: the job re-wraps data
// keys without touching the sealed secrets, migrates rows sealed before envelope encryption,
// reports a cursor after each user, and resumes from it after an interruption mid-way.
import type { RedeemedIdentity } from '@cloudmfa/activation';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createKeyRing, type RotateAllKeysProgress } from '../src/index.js';
import { BACKENDS, closeBackends, freshBackendPerTest } from './backends.js';
import { activateOnline, codeAt, KEK1, KEK2, legacySeal, makeDevice, makeServer, T0, type TestServer } from './helpers.js';

afterAll(closeBackends);

const USERS = ['u1', 'u2', 'u3', 'u4'];

/** The header length of a 0x03 blob: what a re-wrap replaces (the rest is the sealed secret). */
function headerLength(blob: Uint8Array): number {
  const n = blob[1] as number;
  return 2 + n + 2 + (((blob[2 + n] as number) << 8) | (blob[3 + n] as number));
}

describe.each(Object.keys(BACKENDS))('rotateAllKeys on %s', (backend) => {
  const backendNow = freshBackendPerTest(backend, T0);
  let old: TestServer;
  const identities = new Map<string, RedeemedIdentity>();
  beforeEach(async () => {
    identities.clear();
    old = makeServer({ clock: backendNow.clock(), store: () => backendNow.opened().store, kek: { current: 'k1', keys: { k1: KEK1 } } });
    for (const userId of USERS) identities.set(userId, (await activateOnline(old, makeDevice(userId), { userId })).identity);
    // u3's row was sealed before envelope encryption (format 0x01): the job migrates it.
    const u3 = identities.get('u3') as RedeemedIdentity;
    const rec = await old.store.enrolments.get(u3.enrolmentId);
    expect(await old.store.enrolments.update(u3.enrolmentId, { secret: await legacySeal(u3.seed, u3.enrolmentId, 'u3'), expectedVersion: rec?.version as number })).toMatchObject({ ok: true });
  });

  const keyIds = async (t: TestServer) => Promise.all(USERS.map(async (u) => (await t.server.listEnrolments(u)).map((e) => e.keyId)));

  it('re-wraps in bulk, stops when progress throws, and resumes from the last cursor', async () => {
    const rotated = makeServer({ clock: old.clock, store: () => old.store, kek: createKeyRing({ current: 'k2', keys: { k1: KEK1, k2: KEK2 } }), seed: 'rotated' });
    const before = new Map<string, Uint8Array>();
    for (const u of USERS) before.set(u, (await old.store.enrolments.get((identities.get(u) as RedeemedIdentity).enrolmentId))?.secret as Uint8Array);

    const progress: RotateAllKeysProgress[] = [];
    const crash = new Error('the process died');
    await expect(
      rotated.server.rotateAllKeys({
        userIds: USERS,
        onProgress: (p) => {
          progress.push(p);
          if (p.users === 2) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(progress.map(({ cursor: _c, ...counts }) => counts)).toEqual([
      { users: 1, examined: 1, rewrapped: 1, current: 0, failed: 0 },
      { users: 2, examined: 2, rewrapped: 2, current: 0, failed: 0 },
    ]);
    expect(await keyIds(rotated)).toEqual([['k2'], ['k2'], ['k1'], ['k1']]);

    // A re-wrap replaced the header only: the sealed secret (nonce, ciphertext, tag) is the same bytes.
    for (const u of ['u1', 'u2']) {
      const was = before.get(u) as Uint8Array;
      const now = (await old.store.enrolments.get((identities.get(u) as RedeemedIdentity).enrolmentId))?.secret as Uint8Array;
      expect(now[0]).toBe(0x03);
      expect(now.subarray(2, 4)).toEqual(new TextEncoder().encode('k2'));
      expect(Buffer.from(now.subarray(headerLength(now)))).toEqual(Buffer.from(was.subarray(headerLength(was))));
      expect(Buffer.from(now.subarray(0, headerLength(now)))).not.toEqual(Buffer.from(was.subarray(0, headerLength(was))));
    }

    // Resume from the last persisted cursor, over an async iterable this time.
    async function* list() {
      yield* USERS;
    }
    const resumed: RotateAllKeysProgress[] = [];
    const result = await rotated.server.rotateAllKeys({ userIds: list(), cursor: progress.at(-1)?.cursor as string, onProgress: (p) => void resumed.push(p) });
    expect(result).toMatchObject({ users: 2, examined: 2, rewrapped: 2, current: 0, failed: 0 });
    expect(result.cursor).toBe(resumed.at(-1)?.cursor);
    expect(await keyIds(rotated)).toEqual([['k2'], ['k2'], ['k2'], ['k2']]);
    const u3 = (await old.store.enrolments.get((identities.get('u3') as RedeemedIdentity).enrolmentId))?.secret as Uint8Array;
    expect(u3[0]).toBe(0x03); // migrated from 0x01

    // Run again from the start: nothing left to do.
    expect(await rotated.server.rotateAllKeys({ userIds: USERS })).toMatchObject({ users: 4, examined: 4, rewrapped: 0, current: 4, failed: 0 });

    // k1 retired: every user's code still verifies.
    const only2 = makeServer({ clock: old.clock, store: () => old.store, kek: { current: 'k2', keys: { k2: KEK2 } }, seed: 'only2' });
    for (const u of USERS) {
      expect(await only2.server.verifyOtp({ userId: u, code: codeAt(only2, (identities.get(u) as RedeemedIdentity).seed) })).toMatchObject({ ok: true });
    }
  });

  it('refuses a cursor that does not match the list, and a malformed one', async () => {
    const rotated = makeServer({ clock: old.clock, store: () => old.store, kek: { current: 'k2', keys: { k1: KEK1, k2: KEK2 } }, seed: 'rotated' });
    let cursor = '';
    await expect(
      rotated.server.rotateAllKeys({
        userIds: USERS,
        onProgress: (p) => {
          cursor = p.cursor;
          throw new Error('stop');
        },
      }),
    ).rejects.toThrow('stop');
    for (const userIds of [['u9', ...USERS.slice(1)], []]) {
      await expect(rotated.server.rotateAllKeys({ userIds, cursor })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    for (const bad of ['', 'v1.0.dTE', 'v2.1.dTE', 'v1.1.***']) {
      await expect(rotated.server.rotateAllKeys({ userIds: USERS, cursor: bad })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    await expect(rotated.server.rotateAllKeys({ userIds: 'u1' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    // Nothing past the first user was touched by the refused runs.
    expect(await keyIds(rotated)).toEqual([['k2'], ['k1'], ['k1'], ['k1']]);
  });
});
