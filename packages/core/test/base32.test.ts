import { decodeBase32, encodeBase32, utf8Encode } from '@cloudmfa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caughtSync, expectCodeWithoutLeak, toHex } from './helpers.js';
import rules from './vectors/base32-rules.json';
import rfc4648 from './vectors/rfc4648.json';

const FC = { seed: 42 } as const;

describe('base32: RFC 4648 section 10 vectors', () => {
  it.each(rfc4648.base32)('encodes $text as $encoded (padded) and back', ({ text, encoded }) => {
    const bytes = utf8Encode(text);
    expect(encodeBase32(bytes, { padding: true })).toBe(encoded);
    expect(encodeBase32(bytes)).toBe(encoded.replace(/=+$/, ''));
    if (text !== '') {
      expect(toHex(decodeBase32(encoded))).toBe(toHex(bytes));
      expect(toHex(decodeBase32(encoded.replace(/=+$/, '')))).toBe(toHex(bytes));
    }
  });

  it('encodes a subarray view from its own offset, not the whole buffer', () => {
    const whole = utf8Encode('xxfoobarxx');
    expect(encodeBase32(whole.subarray(2, 8))).toBe('MZXW6YTBOI');
  });
});

describe('base32: forgiving about case, whitespace and missing padding', () => {
  it.each(rules.accepted)('accepts $input ($rule)', ({ input, sameAs }) => {
    expect(toHex(decodeBase32(input))).toBe(toHex(utf8Encode(sameAs)));
    // sameAs is a section 10 plaintext: its canonical form is in the RFC table.
    expect(rfc4648.base32.some((v) => v.text === sameAs)).toBe(true);
  });
});

describe('base32: strict about everything else', () => {
  it.each(rules.rejected)('rejects $input ($rule) with ERR_BASE32_INVALID, not quoting it', ({ input }) => {
    const err = caughtSync(() => decodeBase32(input));
    expectCodeWithoutLeak(err, 'ERR_BASE32_INVALID', input);
  });

  it('names the argument in the message', () => {
    expect(caughtSync(() => decodeBase32('MZ', 'seed')).message).toContain('"seed"');
    expect(caughtSync(() => decodeBase32('GEZD!')).message).toBe('"secret" has a character outside the base32 alphabet at position 5');
  });

  it('rejects a non-string with ERR_BASE32_INVALID', () => {
    for (const bad of [undefined, null, 42, {}, new Uint8Array(4)]) {
      expect(caughtSync(() => decodeBase32(bad as unknown as string)).code).toBe('ERR_BASE32_INVALID');
    }
  });

  it('refuses non-bytes on encode with ERR_INVALID_ARGUMENT', () => {
    expect(caughtSync(() => encodeBase32('abc' as unknown as Uint8Array)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => encodeBase32([1, 2] as unknown as Uint8Array)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('base32: properties (fast-check, seeded)', () => {
  it('round-trips any bytes, padded or not, lowercased, with whitespace inserted', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(' ', '\t', '\n', '\r', '  ')), { maxLength: 6 }),
        (bytes, padding, lower, spaces) => {
          let text = encodeBase32(bytes, { padding });
          if (lower) text = text.toLowerCase();
          for (const [at, ws] of spaces) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + ws + text.slice(i);
          }
          expect(toHex(decodeBase32(text))).toBe(toHex(bytes));
        },
      ),
      { ...FC, numRuns: 500 },
    );
  });

  it('accepts a string only in its canonical form (up to case, whitespace and padding), else throws ERR_BASE32_INVALID', () => {
    const alphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcz=  01-'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 24 }).map((a) => a.join('')), (text) => {
        let out: Uint8Array;
        try {
          out = decodeBase32(text);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ERR_BASE32_INVALID');
          return;
        }
        const normal = text.replace(/\s/g, '').toUpperCase();
        expect(encodeBase32(out, { padding: normal.includes('=') })).toBe(normal);
      }),
      { ...FC, numRuns: 3000 },
    );
  });
});
