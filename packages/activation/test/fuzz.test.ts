import { ENVELOPE_TEXT_PREFIX, openEnvelope, readEnvelopeHeader } from '@cloudmfa/activation';
import { createActivationPayload } from '@cloudmfa/activation/server';
import { BASE45_ALPHABET, CloudMfaError, encodeBase45, pureJsCryptoProvider } from '@cloudmfa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeSeal } from '../src/internal/aead.js';

import { deriveEnvelopeKey } from '../src/internal/kdf.js';
import { decodePayload } from '../src/internal/payloadCodec.js';
import { encodeHeader, encodePayload } from '../src/internal/seal.js';
import { CHEAP_KDF, CHEAP_PASSWORD, cheapEnvelope } from './fixtures.js';
import { seededRandom, T0 } from './helpers.js';

// The decoder must never fail with anything but a typed CloudMfaError, whatever it is fed.
const ENVELOPE_CODES = new Set([
  'ERR_ENVELOPE_MALFORMED',
  'ERR_ENVELOPE_TOO_LARGE',
  'ERR_ENVELOPE_VERSION',
  'ERR_ENVELOPE_KDF_COST',
  'ERR_ENVELOPE_EXPIRED',
  'ERR_ENVELOPE_DECRYPT',
]);
// Tight caps so random headers cannot ask for seconds of scrypt per run.
const FAST_LIMITS = { scryptMaxWork: 2 ** 12, scryptMaxMemoryBytes: 2 ** 20, pbkdf2MaxIterations: 2000 };
const params = (numRuns: number) => ({ seed: 42, numRuns });

async function expectTypedRejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OPENED';
  } catch (err) {
    if (!(err instanceof CloudMfaError) || !ENVELOPE_CODES.has(err.code)) throw new Error(`untyped or unexpected failure: ${String(err)}`);
    return err.code;
  }
}

const payload = createActivationPayload({
  issuer: 'Acme',
  origin: 'https://mfa.acme.test',
  random: seededRandom('fuzz'),
});

describe('decoder fuzzing (fast-check, seeded)', () => {
  it('arbitrary strings: typed rejection, never an uncaught or untyped error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...BASE45_ALPHABET.split('')) }).map((s) => `CMFA:${s}`)), async (text) => {
        expect(await expectTypedRejection(openEnvelope({ text, password: CHEAP_PASSWORD, now: () => T0, limits: FAST_LIMITS }))).not.toBe('OPENED');
        try {
          readEnvelopeHeader({ text });
        } catch (err) {
          expect(err).toBeInstanceOf(CloudMfaError);
        }
      }),
      params(1500),
    );
  });

  it('arbitrary bytes behind a plausible header: typed rejection', async () => {
    const header = fc.tuple(fc.constantFrom(1, 2, 3), fc.constantFrom(1, 2, 3), fc.uint8Array({ minLength: 0, maxLength: 300 }));
    await fc.assert(
      fc.asyncProperty(header, async ([mode, kdf, rest]) => {
        const text = ENVELOPE_TEXT_PREFIX + encodeBase45(Uint8Array.from([0x10 | mode, kdf, ...rest]));
        expect(await expectTypedRejection(openEnvelope({ text, password: CHEAP_PASSWORD, now: () => T0, limits: FAST_LIMITS }))).not.toBe('OPENED');
      }),
      params(1500),
    );
  });

  it('random edits of a valid envelope: rejected or (only if unchanged) opened', async () => {
    const { text } = await cheapEnvelope(payload);
    const edit = fc.tuple(fc.nat({ max: text.length - 1 }), fc.constantFrom('replace', 'insert', 'delete'), fc.constantFrom(...BASE45_ALPHABET.split('')));
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let t = text;
        for (const [i, op, ch] of edits) {
          const at = Math.min(i, t.length);
          t = op === 'replace' ? t.slice(0, at) + ch + t.slice(at + 1) : op === 'insert' ? t.slice(0, at) + ch + t.slice(at) : t.slice(0, at) + t.slice(at + 1);
        }
        const code = await expectTypedRejection(openEnvelope({ text: t, password: CHEAP_PASSWORD, now: () => T0, limits: FAST_LIMITS }));
        if (code === 'OPENED') expect(t).toBe(text);
      }),
      params(800),
    );
  });

  it('authenticated but arbitrary payload bytes: MALFORMED, or a payload that re-encodes to the same bytes', async () => {
    const valid = encodePayload(payload);
    const offline = encodePayload({
      mode: 'offline',
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: 'Acme',
      account: 'bob',
      policy: { pinRequired: false, minPinLength: 6, biometricsAllowed: true },
      otp: { type: 'hotp', algorithm: 'SHA256', digits: 7, counter: 9 },
    });
    const salt = new Uint8Array(16);
    const key = await deriveEnvelopeKey(pureJsCryptoProvider, CHEAP_KDF, 'ABCDEFGHJKMN', salt);
    const mutated = (base: Uint8Array) =>
      fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }).map((edits) => {
        const b = Uint8Array.from(base);
        for (const [i, v] of edits) b[i] = v;
        return b;
      });
    const outcomes = { opened: 0, malformed: 0 };
    const plaintexts = fc.tuple(fc.constantFrom<'online' | 'offline'>('online', 'offline'), fc.oneof(fc.uint8Array({ maxLength: 400 }), mutated(valid), mutated(offline)));
    await fc.assert(
      fc.asyncProperty(plaintexts, async ([mode, plaintext]) => {
        const headerBytes = encodeHeader({ mode, kdf: CHEAP_KDF, salt, issuedAtSeconds: T0 / 1000, lifetimeSeconds: 300 });
        const sealed = envelopeSeal(key, headerBytes, plaintext);
        const text = ENVELOPE_TEXT_PREFIX + encodeBase45(Uint8Array.from([...headerBytes, ...sealed]));
        try {
          const opened = await openEnvelope({ text, password: CHEAP_PASSWORD, now: () => T0 });
          // Accepted payloads have exactly one encoding.
          expect(encodePayload(opened.payload)).toEqual(plaintext);
          expect(decodePayload(mode, plaintext)).toEqual(opened.payload);
          outcomes.opened++;
        } catch (err) {
          if (!(err instanceof CloudMfaError)) throw err;
          expect(err.code).toBe('ERR_ENVELOPE_MALFORMED');
          outcomes.malformed++;
        }
      }),
      params(2000),
    );
    // Both branches were exercised, many times.
    expect(outcomes.opened).toBeGreaterThan(50);
    expect(outcomes.malformed).toBeGreaterThan(500);
  });
});
