import { isCloudMfaError, pureJsCryptoProvider } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { createPushResponse, type VerifiedPushChallenge, verifyPushChallenge } from '@cloudmfa/push';
import {
  type CreatedPushChallenge,
  createPushChallenge,
  nextChallengeState,
  type PushChallengeRecord,
  verifyPushResponse,
} from '@cloudmfa/push/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT, ENROLMENT_ID, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();
const now = () => NOW;

async function code(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'no error';
  } catch (err) {
    return isCloudMfaError(err) ? err.code : `untyped: ${String(err)}`;
  }
}

async function issue(numberMatch: boolean, label = 'r'): Promise<{ created: CreatedPushChallenge; verified: VerifiedPushChallenge }> {
  const created = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, numberMatch, now, random: seededRandom(label) });
  const result = await verifyPushChallenge({ challenge: created.token, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now });
  if (!result.ok) throw new Error('challenge did not verify');
  return { created, verified: result.challenge };
}

describe.each([
  ['pure JS', pureJsCryptoProvider],
  ['WebCrypto', webCryptoProvider()],
])('verifyPushResponse (%s)', (_, crypto) => {
  let nm: Awaited<ReturnType<typeof issue>>;
  let plain: Awaited<ReturnType<typeof issue>>;
  beforeAll(async () => {
    nm = await issue(true, 'nm');
    plain = await issue(false, 'plain');
  });

  const respond = (c: VerifiedPushChallenge, decision: 'confirm' | 'suspicious' | 'cancel', extra: { number?: string; userVerified?: boolean; at?: number } = {}) =>
    createPushResponse({ challenge: c, decision, number: extra.number, userVerified: extra.userVerified ?? true, signer: keys.device, now: () => extra.at ?? NOW + 10_000 });

  const check = (response: string, record: PushChallengeRecord, extra: Partial<Parameters<typeof verifyPushResponse>[0]> = {}) =>
    verifyPushResponse({ response, expectedChallenge: record, devicePublicKey: keys.device.publicKey, now: () => NOW + 20_000, crypto, ...extra });

  it('Confirm with the right number is approved', async () => {
    const r = await check(await respond(nm.verified, 'confirm', { number: nm.created.number as string }), nm.created.record);
    expect(r).toEqual({
      ok: true,
      outcome: 'approved',
      suspicious: false,
      event: 'approve',
      decision: 'confirm',
      challengeId: nm.created.record.id,
      userVerified: true,
      respondedAt: NOW + 10_000,
    });
  });

  it('Confirm without number matching is approved', async () => {
    expect(await check(await respond(plain.verified, 'confirm'), plain.created.record)).toMatchObject({ ok: true, outcome: 'approved' });
  });

  it('Suspicious is a denial with suspicious: true; Cancel is cancelled', async () => {
    expect(await check(await respond(nm.verified, 'suspicious'), nm.created.record)).toMatchObject({
      ok: true,
      outcome: 'denied',
      suspicious: true,
      event: 'suspicious',
    });
    expect(await check(await respond(nm.verified, 'cancel'), nm.created.record)).toMatchObject({
      ok: true,
      outcome: 'cancelled',
      suspicious: false,
      event: 'cancel',
    });
  });

  it('wrong number: one attempt, the challenge is denied', async () => {
    const wrong = String(((Number(nm.created.number) - 10 + 1) % 90) + 10);
    for (const typed of [wrong, '0', `${nm.created.number}0`, '12345678']) {
      const r = await check(await respond(nm.verified, 'confirm', { number: typed }), nm.created.record);
      expect(r).toEqual({ ok: false, reason: 'wrong_number', event: 'deny', challengeId: nm.created.record.id });
      expect(nextChallengeState({ state: 'pending', event: 'deny' })).toMatchObject({ ok: true, state: 'denied' });
    }
  });

  it('a number-matching Confirm without a number (signed by a non-conforming device) is wrong_number', async () => {
    const token = await forgeResponse({ cid: nm.created.record.id, chash: nm.created.record.hash, dec: 'confirm', uv: true, iat: (NOW + 10_000) / 1000 });
    expect(await check(token, nm.created.record)).toMatchObject({ ok: false, reason: 'wrong_number', event: 'deny' });
    const extra = await forgeResponse({ cid: plain.created.record.id, chash: plain.created.record.hash, dec: 'confirm', num: '42', uv: true, iat: (NOW + 10_000) / 1000 });
    expect(await check(extra, plain.created.record)).toMatchObject({ ok: false, reason: 'malformed', event: null });
    const suspiciousWithNumber = await forgeResponse({ cid: nm.created.record.id, chash: nm.created.record.hash, dec: 'suspicious', num: '42', uv: true, iat: (NOW + 10_000) / 1000 });
    expect(await check(suspiciousWithNumber, nm.created.record)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('ids and hashes must be canonical base64url (non-zero trailing bits are malformed)', async () => {
    const { id, hash } = plain.created.record;
    const base = { cid: id, chash: hash, dec: 'confirm', uv: true, iat: (NOW + 10_000) / 1000 };
    expect((await check(await forgeResponse(base), plain.created.record)).ok).toBe(true);
    const bump = (s: string) => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1);
    for (const claims of [{ ...base, cid: bump(id) }, { ...base, chash: bump(hash) }, { ...base, cid: `${id}A` }, { ...base, chash: hash.slice(1) }]) {
      expect(await check(await forgeResponse(claims), plain.created.record)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('wrong key: another device signed it', async () => {
    const other = await createPushResponse({ challenge: plain.verified, decision: 'confirm', userVerified: true, signer: keys.otherDevice, now: () => NOW });
    expect(await check(other, plain.created.record)).toEqual({ ok: false, reason: 'bad_signature', event: null, challengeId: null });
    // And the right token against another enrolment's key.
    const mine = await respond(plain.verified, 'confirm');
    expect(await check(mine, plain.created.record, { devicePublicKey: keys.otherDevice.publicKey })).toMatchObject({ reason: 'bad_signature' });
  });

  it('wrong challenge: a response to one challenge does not answer another', async () => {
    const response = await respond(plain.verified, 'confirm');
    expect(await check(response, nm.created.record)).toEqual({ ok: false, reason: 'mismatch', event: null, challengeId: null });
    // Same id, different token bytes (a challenge re-signed or altered in transit): the hash binds.
    expect(await check(response, { ...plain.created.record, hash: nm.created.record.hash })).toMatchObject({ reason: 'mismatch' });
  });

  it('replayed response: once the challenge left pending, the same response is refused', async () => {
    const response = await respond(plain.verified, 'confirm');
    const first = await check(response, plain.created.record);
    expect(first).toMatchObject({ ok: true, event: 'approve' });
    const next = nextChallengeState({ state: plain.created.record.state, event: first.event as 'approve' });
    expect(next).toMatchObject({ ok: true, state: 'approved', audit: 'push.approved' });
    const stored = { ...plain.created.record, state: next.ok ? next.state : plain.created.record.state };
    expect(await check(response, stored)).toEqual({ ok: false, reason: 'replayed', event: null, challengeId: stored.id });
    // Two racing verifications both pass; the atomic transition lets one win.
    expect(nextChallengeState({ state: 'approved', event: 'approve' })).toEqual({ ok: false, reason: 'already_final', state: 'approved' });
    for (const state of ['denied', 'cancelled'] as const) {
      expect(await check(response, { ...stored, state })).toMatchObject({ reason: 'replayed' });
    }
    expect(await check(response, { ...stored, state: 'expired' })).toMatchObject({ reason: 'expired', event: null });
  });

  it('expired: after the server-side expiry (event expire), or a response time outside the window', async () => {
    const response = await respond(plain.verified, 'confirm');
    const { expiresAt } = plain.created.record;
    expect((await check(response, plain.created.record, { now: () => expiresAt })).ok).toBe(true);
    expect(await check(response, plain.created.record, { now: () => expiresAt + 1 })).toEqual({
      ok: false,
      reason: 'expired',
      event: 'expire',
      challengeId: plain.created.record.id,
    });
    // Response claims a time well before the challenge existed, or in the future.
    const early = await respond(plain.verified, 'confirm', { at: NOW - 61_000 });
    expect(await check(early, plain.created.record)).toMatchObject({ reason: 'expired', event: null });
    const late = await respond(plain.verified, 'confirm', { at: NOW + 20_000 + 61_000 });
    expect(await check(late, plain.created.record)).toMatchObject({ reason: 'expired', event: null });
    expect((await check(late, plain.created.record, { maxSkewMs: 62_000 })).ok).toBe(true);
  });

  it('requireUserVerification: a Confirm without uv is denied; Suspicious and Cancel still count', async () => {
    const noUv = await respond(plain.verified, 'confirm', { userVerified: false });
    expect(await check(noUv, plain.created.record)).toMatchObject({ ok: true, userVerified: false });
    expect(await check(noUv, plain.created.record, { requireUserVerification: true })).toMatchObject({
      ok: false,
      reason: 'user_not_verified',
      event: 'deny',
    });
    const suspicious = await respond(plain.verified, 'suspicious', { userVerified: false });
    expect(await check(suspicious, plain.created.record, { requireUserVerification: true })).toMatchObject({ outcome: 'denied' });
  });

  it('misuse throws ERR_INVALID_ARGUMENT; tokens never throw', async () => {
    const response = await respond(plain.verified, 'confirm');
    expect(await code(() => check(response, { ...plain.created.record, state: 'weird' as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => check(response, { ...nm.created.record, number: null }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => check(response, plain.created.record, { devicePublicKey: new Uint8Array(33) }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => check(response, plain.created.record, { maxSkewMs: 10 ** 9 }))).toBe('ERR_INVALID_ARGUMENT');
    for (const junk of [undefined, null, 42, {}, '', '...', response.slice(0, -1), `${response}.x`]) {
      expect(await check(junk as never, plain.created.record)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });
});

describe('createPushResponse', () => {
  it('refuses a challenge that verifyPushChallenge did not return', async () => {
    const { verified } = await issue(false);
    expect(await code(() => createPushResponse({ challenge: { ...verified }, decision: 'confirm', userVerified: true, signer: keys.device, now }))).toBe(
      'ERR_PUSH_CHALLENGE_UNVERIFIED',
    );
  });

  it('number format: digits only, required exactly for a number-matching Confirm, never echoed', async () => {
    const { verified } = await issue(true);
    for (const number of [undefined, '', '4a', ' 42', '123456789', '٤٢']) {
      const err = await createPushResponse({ challenge: verified, decision: 'confirm', number, userVerified: true, signer: keys.device, now }).catch((e) => e);
      expect(isCloudMfaError(err, 'ERR_PUSH_NUMBER_FORMAT')).toBe(true);
      if (number) expect((err as Error).message).not.toContain(number);
    }
    expect(await code(() => createPushResponse({ challenge: verified, decision: 'suspicious', number: '42', userVerified: true, signer: keys.device, now }))).toBe(
      'ERR_PUSH_NUMBER_FORMAT',
    );
  });

  it('the device key must be ES256; decisions are the three', async () => {
    const { verified } = await issue(false);
    expect(await code(() => createPushResponse({ challenge: verified, decision: 'confirm', userVerified: true, signer: keys.serverEd25519, now }))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(await code(() => createPushResponse({ challenge: verified, decision: 'approve' as never, userVerified: true, signer: keys.device, now }))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(await code(() => createPushResponse({ challenge: verified, decision: 'confirm', userVerified: 'yes' as never, signer: keys.device, now }))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('claims are exactly cid, chash, dec, num?, uv, iat', async () => {
    const { verified, created } = await issue(true);
    const token = await createPushResponse({ challenge: verified, decision: 'confirm', number: created.number as string, userVerified: false, signer: keys.device, now });
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
    expect(claims).toEqual({ cid: created.record.id, chash: created.record.hash, dec: 'confirm', num: created.number, uv: false, iat: NOW / 1000 });
  });
});

// Signs arbitrary response claims with the device key through the real JWS layer: a device
// that does not follow createPushResponse's rules.
async function forgeResponse(claims: Record<string, unknown>): Promise<string> {
  const { signJws } = await import('../src/_jws.js');
  const { publicKeyThumbprint, PUSH_TYP } = await import('@cloudmfa/push');
  return signJws(PUSH_TYP.response, publicKeyThumbprint(keys.device), claims, keys.device);
}
