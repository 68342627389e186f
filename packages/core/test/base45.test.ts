import { BASE45_ALPHABET, decodeBase45, encodeBase45, utf8Decode, utf8Encode } from '@cloudmfa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caughtSync, toHex } from './helpers.js';
import rules from './vectors/base45-rules.json';
import rfc9285 from './vectors/rfc9285.json';

const FC = { seed: 42 } as const;

describe('base45: RFC 9285 examples', () => {
  it.each(rfc9285.examples)('section $section: $text <-> $encoded', ({ text, encoded }) => {
    expect(encodeBase45(utf8Encode(text))).toBe(encoded);
    expect(utf8Decode(decodeBase45(encoded))).toBe(text);
  });

  it.each(rfc9285.invalid)('rejects $encoded ($rule)', ({ encoded }) => {
    expect(caughtSync(() => decodeBase45(encoded)).code).toBe('ERR_BASE45_INVALID');
  });

  it('has the QR alphanumeric alphabet of RFC 9285 Table 1', () => {
    expect(BASE45_ALPHABET).toHaveLength(45);
    expect(new Set(BASE45_ALPHABET).size).toBe(45);
    // ISO/IEC 18004 alphanumeric mode: digits, uppercase, space and $%*+-./:
    expect(BASE45_ALPHABET).toMatch(/^[0-9A-Z $%*+\-./:]{45}$/);
  });
});

describe('base45: decoder rules', () => {
  it.each(rules.invalid)('rejects $encoded ($rule) with ERR_BASE45_INVALID, not quoting it', ({ encoded }) => {
    const err = caughtSync(() => decodeBase45(encoded));
    expect(err.code).toBe('ERR_BASE45_INVALID');
    if (encoded.length >= 3) expect(err.message).not.toContain(encoded);
  });

  it.each(rules.valid)('accepts $encoded ($rule)', ({ encoded, hex }) => {
    expect(toHex(decodeBase45(encoded))).toBe(hex);
    expect(encodeBase45(decodeBase45(encoded))).toBe(encoded);
  });

  it('rejects non-strings with ERR_BASE45_INVALID and non-bytes on encode with ERR_INVALID_ARGUMENT', () => {
    expect(caughtSync(() => decodeBase45(7 as unknown as string)).code).toBe('ERR_BASE45_INVALID');
    expect(caughtSync(() => encodeBase45('AB' as unknown as Uint8Array)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('base45: properties (fast-check, seeded)', () => {
  it('round-trips any bytes and stays in the QR alphanumeric set', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const text = encodeBase45(bytes);
        expect(text.length).toBe(Math.floor(bytes.length / 2) * 3 + (bytes.length % 2) * 2);
        for (const ch of text) expect(BASE45_ALPHABET.includes(ch)).toBe(true);
        expect(toHex(decodeBase45(text))).toBe(toHex(bytes));
      }),
      { ...FC, numRuns: 1000 },
    );
  });

  it('accepts a string only if it is the encoding of what it decodes to', () => {
    const chars = fc.constantFrom(...`${BASE45_ALPHABET}ab=`.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((a) => a.join('')), (text) => {
        let out: Uint8Array;
        try {
          out = decodeBase45(text);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ERR_BASE45_INVALID');
          return;
        }
        expect(encodeBase45(out)).toBe(text);
      }),
      { ...FC, numRuns: 3000 },
    );
  });
});
