import { fixedClock, isCloudMfaError, pureJsCryptoProvider, signerFromHost } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { PUSH_LIMITS, type PushContext, verifyPushChallenge } from '@cloudmfa/push';
import { buildApnsPayload, buildFcmPayload, createPushChallenge } from '@cloudmfa/push/server';
import { describe, expect, it } from 'vitest';
import { drawNumber } from '../src/_number.js';
import { CONTEXT, ENROLMENT_ID, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();
const now = () => NOW;

function code(fn: () => unknown): Promise<string> {
  return Promise.resolve()
    .then(fn)
    .then(
      () => 'no error',
      (err) => (isCloudMfaError(err) ? err.code : `untyped: ${String(err)}`),
    );
}

const create = (overrides: Partial<Parameters<typeof createPushChallenge>[0]> = {}) =>
  createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, now, random: seededRandom(), ...overrides });

describe.each([
  ['pure JS', pureJsCryptoProvider],
  ['WebCrypto', webCryptoProvider()],
])('verifyPushChallenge (%s)', (_, crypto) => {
  const verify = (challenge: string, overrides: Partial<Parameters<typeof verifyPushChallenge>[0]> = {}) =>
    verifyPushChallenge({ challenge, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now, crypto, ...overrides });

  it('returns what the UI must show', async () => {
    const created = await create({ numberMatch: true });
    const result = await verify(created.token);
    expect(result).toEqual({
      ok: true,
      challenge: {
        token: created.token,
        id: created.record.id,
        enrolmentId: ENROLMENT_ID,
        issuedAt: NOW,
        expiresAt: NOW + 120_000,
        numberMatch: true,
        context: CONTEXT,
        hash: created.record.hash,
      },
    });
  });

  it('EdDSA server keys work, and the pinned key decides the algorithm', async () => {
    const ed = await create({ signer: keys.serverEd25519 });
    expect((await verify(ed.token, { serverKey: keys.serverEd25519 })).ok).toBe(true);
    // An EdDSA token against a pinned ES256 key, and the reverse: never accepted.
    expect(await verify(ed.token)).toEqual({ ok: false, reason: 'bad_signature' });
    const es = await create();
    expect(await verify(es.token, { serverKey: keys.serverEd25519 })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a challenge signed by another key (wrong key)', async () => {
    const forged = await create({ signer: keys.otherDevice });
    expect(await verify(forged.token)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a challenge for another enrolment', async () => {
    const other = await create({ enrolmentId: 'enr_someone_else' });
    expect(await verify(other.token)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('expiry and issue time with the skew allowance', async () => {
    const { token } = await create({ ttlSeconds: 60 });
    const skew = PUSH_LIMITS.defaultChallengeSkewMs;
    expect((await verify(token, { now: () => NOW + 60_000 + skew })).ok).toBe(true);
    expect(await verify(token, { now: () => NOW + 60_000 + skew + 1 })).toEqual({ ok: false, reason: 'expired' });
    expect((await verify(token, { now: () => NOW - skew })).ok).toBe(true);
    expect(await verify(token, { now: () => NOW - skew - 1 })).toEqual({ ok: false, reason: 'not_yet_valid' });
    expect(await verify(token, { now: () => NOW + 61_000, clockSkewMs: 0 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses tokens of another kind (typ) even when signed by the pinned key', async () => {
    const { createPushPollRequest } = await import('@cloudmfa/push');
    const poll = await createPushPollRequest({ enrolmentId: ENROLMENT_ID, signer: keys.serverEs256, now, random: seededRandom() });
    expect(await verify(poll)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('createPushChallenge', () => {
  it('defaults: 120 s, no number matching, a 128-bit id', async () => {
    const created = await create();
    expect(created.record).toMatchObject({ state: 'pending', numberMatch: false, number: null, issuedAt: NOW, expiresAt: NOW + 120_000 });
    expect(Buffer.from(created.record.id, 'base64url')).toHaveLength(16);
    expect(created.number).toBeNull();
  });

  it('lifetime is capped at 600 s and at least 10 s', async () => {
    expect((await create({ ttlSeconds: 600 })).record.expiresAt).toBe(NOW + 600_000);
    expect(await code(() => create({ ttlSeconds: 601 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => create({ ttlSeconds: 9 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => create({ ttlSeconds: 30.5 }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('never puts the number in the token or the push payloads', async () => {
    for (let i = 0; i < 20; i++) {
      const created = await createPushChallenge({
        enrolmentId: ENROLMENT_ID,
        context: { service: 'x' },
        signer: keys.serverEs256,
        numberMatch: { digits: 6 },
        now,
        random: seededRandom(`number ${i}`),
      });
      const number = created.number as string;
      const claims = Buffer.from(created.token.split('.')[1] as string, 'base64url').toString('utf8');
      expect(claims).not.toContain(number);
      expect(buildApnsPayload({ challenge: created }).json.includes(`"${number}"`)).toBe(false);
      expect(JSON.stringify(buildFcmPayload({ challenge: created }).payload.data)).not.toContain(`"${number}"`);
    }
  });

  it('numbers are d digits without a leading zero, uniform (chi-squared over 90,000 draws)', () => {
    const counts = new Map<string, number>();
    const random = seededRandom('number distribution');
    for (let i = 0; i < 90_000; i++) {
      const number = drawNumber(random, 2);
      counts.set(number, (counts.get(number) ?? 0) + 1);
    }
    expect([...counts.keys()].every((n) => /^[1-9][0-9]$/.test(n))).toBe(true);
    expect(counts.size).toBe(90);
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - 1000) ** 2 / 1000;
    // 89 degrees of freedom: p = 0.001 at about 134.
    expect(chi2).toBeLessThan(134);
    for (let d = 2; d <= 6; d++) expect(drawNumber(random, d)).toMatch(new RegExp(`^[1-9][0-9]{${d - 1}}$`));
  });

  it('rejection sampling: a draw in the biased tail is skipped, not folded', async () => {
    // 0xffffffff is above the largest multiple of 90 below 2^32; the next draw (0) gives 10.
    const draws = [new Uint8Array(16), Uint8Array.of(255, 255, 255, 255), Uint8Array.of(0, 0, 0, 0)];
    const random = (n: number) => {
      const next = draws.shift() as Uint8Array;
      expect(next).toHaveLength(n);
      return next;
    };
    const { number } = await createPushChallenge({ enrolmentId: 'e', context: { service: 's' }, signer: keys.serverEs256, numberMatch: true, now, random });
    expect(number).toBe('10');
    expect(await code(() => createPushChallenge({ enrolmentId: 'e', context: { service: 's' }, signer: keys.serverEs256, numberMatch: true, now, random: (n) => new Uint8Array(n).fill(255) }))).toBe('ERR_NO_RANDOM_SOURCE');
  });

  it('oversized context is an error with its own code, never truncated', async () => {
    const over: Array<[keyof PushContext, number]> = [
      ['service', PUSH_LIMITS.contextService],
      ['message', PUSH_LIMITS.contextMessage],
      ['location', PUSH_LIMITS.contextLocation],
      ['device', PUSH_LIMITS.contextDevice],
    ];
    for (const [field, cap] of over) {
      const at = { ...CONTEXT, [field]: 'a'.repeat(cap) };
      expect((await create({ context: at })).context[field]).toBe('a'.repeat(cap));
      expect(await code(() => create({ context: { ...CONTEXT, [field]: 'a'.repeat(cap + 1) } }))).toBe('ERR_PUSH_CONTEXT_TOO_LARGE');
    }
    expect(await code(() => create({ context: { ...CONTEXT, ip: '1'.repeat(46) } }))).toBe('ERR_PUSH_CONTEXT_TOO_LARGE');
    // Every field within its cap, but the whole context over 1,024 bytes (3-byte characters).
    const wide = '€'.repeat(100);
    expect(await code(() => create({ context: { service: '€'.repeat(64), message: '€'.repeat(200), location: wide, device: wide } }))).toBe(
      'ERR_PUSH_CONTEXT_TOO_LARGE',
    );
  });

  it('display text: control, bidi and separator characters and lone surrogates are refused', async () => {
    for (const bad of ['a\nb', 'a\u0000', 'evil\u202Eexample', 'x\u2066y', 'a\u2028b', '\uFEFFa', 'a\u0085', 'a\ud800', '\udc00a', 'a\u200fb', 'evil\u061Cexample']) {
      expect(await code(() => create({ context: { service: bad } }))).toBe('ERR_PUSH_CONTEXT_INVALID');
    }
    expect((await create({ context: { service: 'Zürich 😀 東京' } })).context.service).toBe('Zürich 😀 東京');
    expect(await code(() => create({ context: { service: '' } }))).toBe('ERR_PUSH_CONTEXT_INVALID');
    expect(await code(() => create({ context: { ...CONTEXT, ip: 'not an ip' } }))).toBe('ERR_PUSH_CONTEXT_INVALID');
    expect(await code(() => create({ context: { service: 'x', msg: 'typo' } as unknown as PushContext }))).toBe('ERR_PUSH_CONTEXT_INVALID');
    expect(await code(() => create({ context: { service: 'x', time: -1 } }))).toBe('ERR_PUSH_CONTEXT_INVALID');
    // Empty optional fields mean "unknown", not an error.
    expect((await create({ context: { service: 'x', location: '', ip: '' } })).context).toEqual({ service: 'x' });
  });

  it('misuse throws ERR_INVALID_ARGUMENT', async () => {
    expect(await code(() => create({ enrolmentId: 'has space' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => create({ enrolmentId: 'x'.repeat(129) }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => create({ signer: { algorithm: 'RS256', publicKey: new Uint8Array(65), sign: async () => new Uint8Array(64) } as never }))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(await code(() => create({ numberMatch: { digits: 7 } }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => create({ numberMatch: { digits: 1 } }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => create({ now: () => Number.NaN }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await code(() => createPushChallenge(null as never))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('a failing signer is ERR_PUSH_SIGN_FAILED with the host error as cause', async () => {
    const hostError = new Error('user cancelled');
    const signer = { algorithm: 'ES256' as const, publicKey: keys.serverEs256.publicKey, sign: async () => Promise.reject(hostError) };
    const err = await create({ signer }).catch((e: unknown) => e);
    expect(isCloudMfaError(err, 'ERR_PUSH_SIGN_FAILED')).toBe(true);
    expect((err as Error).cause).toBe(hostError);
  });

  it('a host key whose output is not a signature is ERR_SIGNATURE_FORMAT (spec section 8), not a signing failure', async () => {
    const host = signerFromHost({
      algorithm: 'ES256',
      publicKey: keys.serverEs256.publicKey,
      sign: async () => new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]),
    });
    const err = await create({ signer: host }).catch((e: unknown) => e);
    expect(isCloudMfaError(err, 'ERR_SIGNATURE_FORMAT')).toBe(true);
  });

  it('time passes with the injected clock only', async () => {
    const clock = fixedClock(NOW);
    const a = await create({ now: clock });
    clock.advance(5_000);
    const b = await create({ now: clock });
    expect(b.record.issuedAt - a.record.issuedAt).toBe(5_000);
  });
});
