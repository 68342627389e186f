import { type CryptoProvider, decodeBase64Url, encodeBase64Url } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';
import { createPushResponse, verifyPushChallenge } from '@cloudmfa/push';
import { createPushChallenge, verifyPushResponse } from '@cloudmfa/push/server';
import { describe, expect, it } from 'vitest';
import { CONTEXT, ENROLMENT_ID, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();
const now = () => NOW + 5_000;

// WebCrypto for both curves so thousands of signature checks stay fast; the pure-JS provider
// runs the same verifiers everywhere else in the suite.
const ed25519Subtle: CryptoProvider['ed25519Verify'] = async (publicKey, message, signature) => {
  try {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new Uint8Array(message));
  } catch {
    return false;
  }
};
const fast = createCryptoProvider({ name: 'test-webcrypto', ed25519Verify: ed25519Subtle, base: webCryptoProvider() });

/** Every token with exactly one bit of one character flipped (bits 0-7 of each char code). */
function* charFlips(token: string): Generator<string> {
  for (let i = 0; i < token.length; i++) {
    for (let b = 0; b < 8; b++) {
      yield token.slice(0, i) + String.fromCharCode(token.charCodeAt(i) ^ (1 << b)) + token.slice(i + 1);
    }
  }
}

/**
 * Every token with one bit of one decoded byte of `segment` flipped and re-encoded canonically.
 * Payload and signature flips all reach the signature check (the payload is not read before it).
 */
function* byteFlips(token: string, segment: 0 | 1 | 2): Generator<string> {
  const segments = token.split('.');
  for (const s of [segment]) {
    const bytes = decodeBase64Url(segments[s] as string);
    for (let i = 0; i < bytes.length; i++) {
      for (let b = 0; b < 8; b++) {
        const copy = Uint8Array.from(bytes);
        copy[i] = (copy[i] as number) ^ (1 << b);
        const parts = [...segments];
        parts[s] = encodeBase64Url(copy);
        yield parts.join('.');
      }
    }
  }
}

async function tally(tokens: Iterable<string>, check: (t: string) => Promise<{ ok: boolean; reason?: string }>) {
  const reasons: Record<string, number> = {};
  let count = 0;
  for (const token of tokens) {
    const r = await check(token);
    const key = r.ok ? 'ACCEPTED' : (r.reason as string);
    reasons[key] = (reasons[key] ?? 0) + 1;
    count++;
  }
  return { count, reasons };
}

async function expectByteFlipsRejected(token: string, check: (t: string) => Promise<{ ok: boolean; reason?: string }>) {
  const header = await tally(byteFlips(token, 0), check);
  expect(header.reasons.ACCEPTED).toBeUndefined();
  expect(Object.keys(header.reasons).sort()).toEqual(['bad_signature', 'malformed']);
  for (const segment of [1, 2] as const) {
    const flips = await tally(byteFlips(token, segment), check);
    expect(flips.count).toBe(decodeBase64Url(token.split('.')[segment] as string).length * 8);
    expect(flips.reasons).toEqual({ bad_signature: flips.count });
  }
}

describe('every single-bit flip is rejected', () => {
  for (const [name, signer] of [
    ['ES256', keys.serverEs256],
    ['EdDSA', keys.serverEd25519],
  ] as const) {
    it(`challenge (${name} server key)`, async () => {
      const { token } = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer, numberMatch: true, now: () => NOW, random: seededRandom() });
      const check = (challenge: string) => verifyPushChallenge({ challenge, serverKey: signer, expectedEnrolmentId: ENROLMENT_ID, now, crypto: fast });
      expect((await check(token)).ok).toBe(true);
      const chars = await tally(charFlips(token), check);
      expect(chars.count).toBe(token.length * 8);
      expect(chars.reasons.ACCEPTED).toBeUndefined();
      await expectByteFlipsRejected(token, check);
    });
  }

  it('response', async () => {
    const created = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, numberMatch: true, now: () => NOW, random: seededRandom() });
    const v = await verifyPushChallenge({ challenge: created.token, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now });
    if (!v.ok) throw new Error('unreachable');
    const token = await createPushResponse({ challenge: v.challenge, decision: 'confirm', number: created.number as string, userVerified: true, signer: keys.device, now });
    const check = (response: string) =>
      verifyPushResponse({ response, expectedChallenge: created.record, devicePublicKey: keys.device.publicKey, now, crypto: fast });
    expect((await check(token)).ok).toBe(true);
    const chars = await tally(charFlips(token), check);
    expect(chars.count).toBe(token.length * 8);
    expect(chars.reasons.ACCEPTED).toBeUndefined();
    expect(chars.reasons.malformed).toBeGreaterThan(0);
    expect(chars.reasons.bad_signature).toBeGreaterThan(0);
    await expectByteFlipsRejected(token, check);
  });
});
