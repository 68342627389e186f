import { decodeBase64Url, encodeBase64Url, utf8Encode } from '@cloudmfa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caughtSync, toHex } from './helpers.js';
import rfc4648 from './vectors/rfc4648.json';

const FC = { seed: 42 } as const;

describe('base64url: RFC 4648 section 10 vectors, unpadded (RFC 7515 section 2)', () => {
  it.each(rfc4648.base64)('encodes $text as $encoded without padding, and back', ({ text, encoded }) => {
    const unpadded = encoded.replace(/=+$/, '');
    expect(encodeBase64Url(utf8Encode(text))).toBe(unpadded);
    expect(toHex(decodeBase64Url(unpadded))).toBe(toHex(utf8Encode(text)));
  });

  it('uses - and _ where base64 has + and /', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf]);
    expect(Buffer.from(bytes).toString('base64')).toBe('+/+/');
    expect(encodeBase64Url(bytes)).toBe('-_-_');
    expect(encodeBase64Url(new Uint8Array([251, 255]))).toBe('-_8');
    expect(toHex(decodeBase64Url('-_-_'))).toBe('fbffbf');
  });
});

describe('base64url: strict decoding, one encoding per value', () => {
  const bad: [string, string][] = [
    ['Zg==', 'padding'],
    ['Zm8=', 'padding'],
    ['Zg=', 'padding'],
    ['+_8', 'base64 character +'],
    ['-/8', 'base64 character /'],
    ['Zm9v Yg', 'space'],
    ['Zm9v\nYg', 'line break'],
    ['Zm9vY', 'length 1 mod 4'],
    ['Z', 'length 1 mod 4'],
    ['Zh', 'non-zero trailing bits (canonical Zg)'],
    ['Zm9', 'non-zero trailing bits (canonical Zm8)'],
    ['Zm9vYh', 'non-zero trailing bits'],
    ['Zm9vé', 'non-ASCII'],
    ['Zm9v\u0000', 'NUL'],
  ];
  it.each(bad)('rejects %j (%s) with ERR_BASE64URL_INVALID, not quoting it', (text) => {
    const err = caughtSync(() => decodeBase64Url(text));
    expect(err.code).toBe('ERR_BASE64URL_INVALID');
    expect(err.message).not.toContain(text);
  });

  it('decodes the empty string to no bytes', () => {
    expect(decodeBase64Url('')).toEqual(new Uint8Array(0));
  });

  it('rejects non-strings with ERR_BASE64URL_INVALID and non-bytes on encode with ERR_INVALID_ARGUMENT', () => {
    expect(caughtSync(() => decodeBase64Url(null as unknown as string)).code).toBe('ERR_BASE64URL_INVALID');
    expect(caughtSync(() => encodeBase64Url('x' as unknown as Uint8Array)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('base64url: properties (fast-check, seeded)', () => {
  it('round-trips any bytes and matches Node Buffer base64url', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        const text = encodeBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(toHex(decodeBase64Url(text))).toBe(toHex(bytes));
      }),
      { ...FC, numRuns: 1000 },
    );
  });

  it('accepts exactly the canonical strings, agreeing with Buffer on what it accepts', () => {
    const chars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= '.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 16 }).map((a) => a.join('')), (text) => {
        let out: Uint8Array;
        try {
          out = decodeBase64Url(text);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ERR_BASE64URL_INVALID');
          return;
        }
        expect(encodeBase64Url(out)).toBe(text);
        expect(toHex(out)).toBe(Buffer.from(text, 'base64url').toString('hex'));
      }),
      { ...FC, numRuns: 3000 },
    );
  });
});
