import {
  bytesToHex,
  concatBytes,
  constantTimeEqual,
  constantTimeEqualString,
  hexToBytes,
  utf8Decode,
  utf8Encode,
} from '@cloudmfa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caughtSync, hex, toHex } from './helpers.js';

const FC = { seed: 42 } as const;
const encoder = new TextEncoder();
// What utf8Decode promises to match: fatal on malformed input, byte-order mark kept.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Strings as arbitrary UTF-16 code-unit sequences, lone surrogates included.
const utf16 = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0x7ff }),
      fc.integer({ min: 0x800, max: 0xffff }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
    ),
    { maxLength: 48 },
  )
  .map((units) => String.fromCharCode(...units));

describe('utf8Encode matches TextEncoder', () => {
  it('on fixed cases: ASCII, 2/3/4-byte forms, lone surrogates', () => {
    for (const s of ['', 'Acme GmbH', '\u007f', 'Acme é', 'x\u0080', 'é', '€', '😀', 'a\ud800b', '\udc00', '\ud800', '\ud83d\ude00\ud83d', '\ufeff']) {
      expect(toHex(utf8Encode(s))).toBe(toHex(encoder.encode(s)));
    }
    expect(toHex(utf8Encode('\ud800'))).toBe('efbfbd');
  });

  it('on any UTF-16 string (fast-check, seeded)', () => {
    fc.assert(
      fc.property(fc.oneof(utf16, fc.string({ unit: 'binary', maxLength: 48 })), (s) => {
        expect(toHex(utf8Encode(s))).toBe(toHex(encoder.encode(s)));
      }),
      { ...FC, numRuns: 2000 },
    );
  });

  it('refuses a non-string with ERR_INVALID_ARGUMENT', () => {
    expect(caughtSync(() => utf8Encode(undefined as unknown as string)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('utf8Decode matches a fatal TextDecoder', () => {
  const invalid: [string, string][] = [
    ['c0af', 'overlong 2-byte (C0)'],
    ['c1bf', 'overlong 2-byte (C1)'],
    ['e080af', 'overlong 3-byte'],
    ['f08080af', 'overlong 4-byte'],
    ['eda080', 'encoded high surrogate'],
    ['edbfbf', 'encoded low surrogate'],
    ['f4908080', 'above U+10FFFF'],
    ['f5808080', 'lead byte F5'],
    ['ff', 'byte FF'],
    ['fe', 'byte FE'],
    ['80', 'stray continuation'],
    ['e282', 'truncated 3-byte'],
    ['f09f98', 'truncated 4-byte'],
    ['c3', 'truncated 2-byte at end'],
    ['c328', 'lead followed by non-continuation'],
    ['61e282ac80', 'valid then stray continuation'],
  ];
  it.each(invalid)('rejects %s (%s) with ERR_UTF8_INVALID', (h) => {
    expect(() => decoder.decode(hex(h))).toThrow();
    expect(caughtSync(() => utf8Decode(hex(h))).code).toBe('ERR_UTF8_INVALID');
  });

  it('keeps a leading byte-order mark', () => {
    expect(utf8Decode(hex('efbbbf61'))).toBe('\ufeffa');
  });

  it('round-trips every well-formed string (fast-check, seeded)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        expect(utf8Decode(utf8Encode(s))).toBe(s);
      }),
      { ...FC, numRuns: 2000 },
    );
  });

  it('accepts and rejects exactly what TextDecoder does, on arbitrary and near-valid bytes (fast-check, seeded)', () => {
    const nearValid = fc
      .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([s, at, b]) => {
        const bytes = Uint8Array.from(encoder.encode(s));
        bytes[at % bytes.length] = b;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 24 }), nearValid), (bytes) => {
        let expected: string | undefined;
        try {
          expected = decoder.decode(bytes);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(caughtSync(() => utf8Decode(bytes)).code).toBe('ERR_UTF8_INVALID');
        else expect(utf8Decode(bytes)).toBe(expected);
      }),
      { ...FC, numRuns: 5000 },
    );
  });

  it('refuses non-bytes with ERR_INVALID_ARGUMENT', () => {
    expect(caughtSync(() => utf8Decode('hi' as unknown as Uint8Array)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('hex', () => {
  it('round-trips and matches Buffer (fast-check, seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const h = bytesToHex(bytes);
        expect(h).toBe(Buffer.from(bytes).toString('hex'));
        expect(hexToBytes(h)).toEqual(bytes);
        expect(hexToBytes(h.toUpperCase())).toEqual(bytes);
      }),
      { ...FC, numRuns: 500 },
    );
  });

  it.each(['0', 'abc', 'zz', '0x00', ' 00', '00 '])('rejects %j with ERR_INVALID_ARGUMENT', (h) => {
    expect(caughtSync(() => hexToBytes(h)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('constantTimeEqual / constantTimeEqualString', () => {
  it('compares bytes by value', () => {
    expect(constantTimeEqual(hex('00ff10'), hex('00ff10'))).toBe(true);
    expect(constantTimeEqual(hex('00ff10'), hex('00ff11'))).toBe(false);
    expect(constantTimeEqual(hex('80ff10'), hex('00ff10'))).toBe(false);
    expect(constantTimeEqual(hex('00ff'), hex('00ff10'))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(constantTimeEqual(Buffer.from('abc'), utf8Encode('abc'))).toBe(true);
  });

  it('compares strings by UTF-16 code unit', () => {
    expect(constantTimeEqualString('123456', '123456')).toBe(true);
    expect(constantTimeEqualString('123456', '123457')).toBe(false);
    expect(constantTimeEqualString('12345', '123456')).toBe(false);
    expect(constantTimeEqualString('', '')).toBe(true);
    expect(constantTimeEqualString('é', 'e\u0301')).toBe(false);
    expect(constantTimeEqualString('\u0100', '\u0000')).toBe(false);
  });

  it('agrees with === on arbitrary inputs (fast-check, seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
        expect(constantTimeEqual(a, Uint8Array.from(a))).toBe(true);
      }),
      { ...FC, numRuns: 1000 },
    );
    fc.assert(
      fc.property(utf16, utf16, (a, b) => {
        expect(constantTimeEqualString(a, b)).toBe(a === b);
        expect(constantTimeEqualString(a, `${a}`)).toBe(true);
      }),
      { ...FC, numRuns: 1000 },
    );
  });

  it('refuses other types with ERR_INVALID_ARGUMENT instead of comparing them', () => {
    expect(caughtSync(() => constantTimeEqual('ab' as unknown as Uint8Array, hex('6162'))).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => constantTimeEqual(hex('00'), [0] as unknown as Uint8Array)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => constantTimeEqualString(123456 as unknown as string, '123456')).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => constantTimeEqualString('1', undefined as unknown as string)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('concatBytes', () => {
  it('concatenates into a new array', () => {
    const a = hex('0102');
    const out = concatBytes(a, hex(''), hex('03'));
    expect(toHex(out)).toBe('010203');
    out[0] = 9;
    expect(a[0]).toBe(1);
    expect(concatBytes()).toEqual(new Uint8Array(0));
  });

  it('names a non-byte part', () => {
    const err = caughtSync(() => concatBytes(hex('01'), 'x' as unknown as Uint8Array));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.message).toContain('"parts[1]"');
  });
});
