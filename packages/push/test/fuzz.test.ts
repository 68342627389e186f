// Malformed input never throws and never gives an untyped result: fast-check, seeded.
import { encodeBase64Url, utf8Encode } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import {
  createPushResponse,
  peekPushMessage,
  PUSH_TYP,
  publicKeyThumbprint,
  verifyPushChallenge,
} from '@cloudmfa/push';
import { createPushChallenge, verifyPushPollRequest, verifyPushResponse } from '@cloudmfa/push/server';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { signJws } from '../src/_jws.js';
import { CONTEXT, ENROLMENT_ID, NOW, seededRandom, testKeys } from './helpers.js';

const keys = testKeys();
const now = () => NOW;
const crypto = webCryptoProvider();
const CHALLENGE_REASONS = ['malformed', 'bad_signature', 'mismatch', 'expired', 'not_yet_valid'];
const RESPONSE_REASONS = ['malformed', 'bad_signature', 'mismatch', 'replayed', 'expired', 'wrong_number', 'user_not_verified'];
const POLL_REASONS = ['malformed', 'bad_signature', 'mismatch', 'expired'];

let challenge: Awaited<ReturnType<typeof createPushChallenge>>;
let response: string;
beforeAll(async () => {
  challenge = await createPushChallenge({ enrolmentId: ENROLMENT_ID, context: CONTEXT, signer: keys.serverEs256, numberMatch: true, now, random: seededRandom() });
  const v = await verifyPushChallenge({ challenge: challenge.token, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now });
  if (!v.ok) throw new Error('unreachable');
  response = await createPushResponse({ challenge: v.challenge, decision: 'confirm', number: challenge.number as string, userVerified: true, signer: keys.device, now });
});

/** Runs every verifier on `token` and asserts a typed refusal (or, for the untouched originals, acceptance). */
async function expectTypedRefusal(token: unknown): Promise<void> {
  const c = await verifyPushChallenge({ challenge: token as string, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now, crypto });
  if (token !== challenge.token) expect(c.ok === false && CHALLENGE_REASONS.includes(c.reason)).toBe(true);
  const r = await verifyPushResponse({ response: token as string, expectedChallenge: challenge.record, devicePublicKey: keys.device.publicKey, now, crypto });
  if (token !== response) expect(r.ok === false && RESPONSE_REASONS.includes(r.reason)).toBe(true);
  const p = await verifyPushPollRequest({ request: token as string, devicePublicKey: keys.device.publicKey, expectedEnrolmentId: ENROLMENT_ID, now, crypto });
  expect(p.ok === false && POLL_REASONS.includes(p.reason)).toBe(true);
  const peek = peekPushMessage(token);
  expect(typeof peek.ok).toBe('boolean');
}

const b64 = (value: unknown) => encodeBase64Url(utf8Encode(typeof value === 'string' ? value : JSON.stringify(value) ?? ''));

// Headers near the real ones, so the fuzzer gets past the first checks often.
const header = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      alg: fc.constantFrom('ES256', 'EdDSA', 'none', 'HS256', 'es256', ''),
      typ: fc.constantFrom(PUSH_TYP.challenge, PUSH_TYP.response, PUSH_TYP.poll, 'JWT', ''),
      kid: fc.oneof(fc.constant(publicKeyThumbprint(keys.serverEs256)), fc.constant(publicKeyThumbprint(keys.device)), fc.string()),
      crit: fc.array(fc.string()),
      jwk: fc.jsonValue(),
      __proto__: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
);
const signature = fc.oneof(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ maxLength: 80 }));

describe('fuzzing the push verifiers (fast-check, seed 42)', () => {
  it('arbitrary strings and non-strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 5000 }), fc.anything()), expectTypedRefusal),
      { seed: 42, numRuns: 400 },
    );
  });

  it('three base64url segments of arbitrary JSON and near-valid headers', async () => {
    await fc.assert(
      fc.asyncProperty(header, fc.jsonValue(), signature, async (h, p, s) => expectTypedRefusal(`${b64(h)}.${b64(p)}.${encodeBase64Url(s)}`)),
      { seed: 42, numRuns: 400 },
    );
  });

  it('edits of real tokens: replace, insert, delete, truncate, swap segments', async () => {
    const edit = fc.record({
      which: fc.constantFrom('challenge', 'response'),
      op: fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'swap', 'duplicate'),
      at: fc.nat(),
      char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    });
    await fc.assert(
      fc.asyncProperty(edit, async ({ which, op, at, char }) => {
        const t = which === 'challenge' ? challenge.token : response;
        const i = at % t.length;
        const parts = t.split('.');
        const edited =
          op === 'replace'
            ? t.slice(0, i) + char + t.slice(i + 1)
            : op === 'insert'
              ? t.slice(0, i) + char + t.slice(i)
              : op === 'delete'
                ? t.slice(0, i) + t.slice(i + 1)
                : op === 'truncate'
                  ? t.slice(0, i)
                  : op === 'swap'
                    ? [parts[1], parts[0], parts[2]].join('.')
                    : `${parts[0]}.${parts[1]}.${parts[1]}`;
        if (edited !== t) await expectTypedRefusal(edited);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('validly signed tokens with arbitrary claims are malformed, never a crash', async () => {
    const claims = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          jti: fc.oneof(fc.constant(challenge?.record.id ?? ''), fc.string()),
          sub: fc.oneof(fc.constant(ENROLMENT_ID), fc.string()),
          iat: fc.oneof(fc.integer(), fc.double(), fc.constant(NOW / 1000)),
          exp: fc.oneof(fc.integer(), fc.constant(NOW / 1000 + 60), fc.constant(Number.MAX_SAFE_INTEGER)),
          nm: fc.jsonValue(),
          ctx: fc.oneof(fc.jsonValue(), fc.record({ svc: fc.string(), msg: fc.string(), ip: fc.string(), at: fc.double() }, { requiredKeys: [] })),
          cid: fc.string(),
          dec: fc.constantFrom('confirm', 'suspicious', 'cancel', 'approve'),
          num: fc.jsonValue(),
          uv: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(claims, fc.constantFrom('challenge', 'response', 'poll'), async (value, kind) => {
        const signer = kind === 'challenge' ? keys.serverEs256 : keys.device;
        const token = await signJws(PUSH_TYP[kind], publicKeyThumbprint(signer), (value ?? null) as object, signer);
        const c = await verifyPushChallenge({ challenge: token, serverKey: keys.serverEs256, expectedEnrolmentId: ENROLMENT_ID, now, crypto });
        const r = await verifyPushResponse({ response: token, expectedChallenge: challenge.record, devicePublicKey: keys.device.publicKey, now, crypto });
        const p = await verifyPushPollRequest({ request: token, devicePublicKey: keys.device.publicKey, expectedEnrolmentId: ENROLMENT_ID, now, crypto });
        for (const result of [c, r, p]) expect(result.ok === true || typeof result.reason === 'string').toBe(true);
        // Random claims must never verify as anything.
        expect(c.ok || r.ok || p.ok).toBe(false);
        expect(typeof peekPushMessage(token).ok).toBe('boolean');
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
