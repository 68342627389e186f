import { ENVELOPE_TEXT_PREFIX, openEnvelope } from '@cloudmfa/activation';
import { createActivationPayload } from '@cloudmfa/activation/server';
import { CloudMfaError, decodeBase45, encodeBase45 } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { CHEAP_PASSWORD, cheapEnvelope } from './fixtures.js';
import { seededRandom, T0 } from './helpers.js';

// Every single-bit flip of a sample envelope must be rejected with a typed error. A cheap but
// real scrypt (N=16, r=1) keeps the ~1 800 opens fast; the KDF cost is not what is under test.

const REJECTIONS = ['ERR_ENVELOPE_MALFORMED', 'ERR_ENVELOPE_VERSION', 'ERR_ENVELOPE_KDF_COST', 'ERR_ENVELOPE_EXPIRED', 'ERR_ENVELOPE_DECRYPT'];

const payload = createActivationPayload({
  issuer: 'Acme Corporation',
  origin: 'https://mfa.example.com',
  policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
  random: seededRandom('bitflip'),
});

async function outcome(text: string): Promise<string> {
  try {
    await openEnvelope({ text, password: CHEAP_PASSWORD, now: () => T0 });
    return 'OPENED';
  } catch (err) {
    if (!(err instanceof CloudMfaError)) return `UNTYPED ${String(err)}`;
    return err.code;
  }
}

describe('single-bit flips', () => {
  it('the unflipped sample opens (so the test can tell the difference)', async () => {
    const { text } = await cheapEnvelope(payload);
    expect(await outcome(text)).toBe('OPENED');
  });

  it('every bit of the binary envelope, flipped, is rejected; ciphertext and tag flips fail decryption', async () => {
    const { text } = await cheapEnvelope(payload);
    const bytes = decodeBase45(text.slice(ENVELOPE_TEXT_PREFIX.length));
    const headerLength = 27;
    const seen: Record<string, number> = {};
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = Uint8Array.from(bytes);
        flipped[i] = (flipped[i] as number) ^ (1 << bit);
        const code = await outcome(ENVELOPE_TEXT_PREFIX + encodeBase45(flipped));
        expect(REJECTIONS, `byte ${i} bit ${bit}`).toContain(code);
        if (i >= headerLength) expect(code, `byte ${i} bit ${bit}`).toBe('ERR_ENVELOPE_DECRYPT');
        seen[code] = (seen[code] ?? 0) + 1;
      }
    }
    expect(Object.values(seen).reduce((a, b) => a + b, 0)).toBe(bytes.length * 8);
    // Header flips land in the early checks, not only in decryption: the version nibble gives
    // VERSION, the mode nibble and the KDF id MALFORMED, the KDF parameters KDF_COST (or
    // MALFORMED at zero), a high bit of issuedAt moves the expiry into the past (EXPIRED), and
    // every other flip (salt, low time bits, lifetime) fails the tag as associated data.
    expect(Object.keys(seen).sort()).toEqual([
      'ERR_ENVELOPE_DECRYPT',
      'ERR_ENVELOPE_EXPIRED',
      'ERR_ENVELOPE_KDF_COST',
      'ERR_ENVELOPE_MALFORMED',
      'ERR_ENVELOPE_VERSION',
    ]);
    // Byte 0: each of the 4 version bits gives VERSION, each of the 4 mode bits MALFORMED.
    const byte0: string[] = [];
    for (let bit = 0; bit < 8; bit++) {
      const flipped = Uint8Array.from(bytes);
      flipped[0] = (flipped[0] as number) ^ (1 << bit);
      byte0.push(await outcome(ENVELOPE_TEXT_PREFIX + encodeBase45(flipped)));
    }
    expect(byte0).toEqual([...Array(4).fill('ERR_ENVELOPE_MALFORMED'), ...Array(4).fill('ERR_ENVELOPE_VERSION')]);
  });

  it('every bit of the QR text, flipped, is rejected', async () => {
    const { text } = await cheapEnvelope(payload);
    for (let i = 0; i < text.length; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const flipped = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << bit)) + text.slice(i + 1);
        expect(REJECTIONS, `char ${i} bit ${bit}`).toContain(await outcome(flipped));
      }
    }
  });
});
