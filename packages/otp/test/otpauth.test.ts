// otpauth:// URIs: formatting, strict and lenient parsing, warnings, and a table of bad inputs
// with the code each one must produce.
import { encodeBase32, isCloudMfaError } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { type OtpauthParams, parseOtpauthUri, type ParsedOtpauthUri } from '../src/index.js';
import { formatOtpauthUri } from '../src/server.js';

const SECRET = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const B32 = encodeBase32(SECRET);
const fields = ({ warnings: _, ...p }: ParsedOtpauthUri): OtpauthParams => p;
const codes = (p: { warnings: Array<{ code: string }> }) => p.warnings.map((w) => w.code).sort();
const errorCode = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (isCloudMfaError(err)) return err.code;
    throw err;
  }
  return 'no error';
};

describe('formatOtpauthUri', () => {
  it('writes label and issuer, omits defaults, escapes values', () => {
    const { uri, warnings } = formatOtpauthUri({ type: 'totp', secret: SECRET, issuer: 'Acme Co: EU', account: 'alice@example.com' });
    expect(uri).toBe(`otpauth://totp/Acme%20Co%3A%20EU:alice@example.com?secret=${B32}&issuer=Acme%20Co%3A%20EU`);
    expect(warnings).toEqual([]);
  });

  it('round-trips colons, spaces, plus signs, ampersands, percent signs and non-ASCII', () => {
    for (const [issuer, account] of [
      ['A:B', 'c:d'],
      ['Acme Inc', 'john doe'],
      ['A+B', 'x+y@example.com'],
      ['A&B=C', '100% sure?#'],
      ['Ünïcödé 🔐', 'Ωmega'],
      ['trailing ', 'spaces  '],
    ] as const) {
      const { uri } = formatOtpauthUri({ type: 'totp', secret: SECRET, issuer, account });
      const p = parseOtpauthUri({ uri });
      expect([p.issuer, p.account]).toEqual([issuer, account]);
      expect(p.warnings).toEqual([]);
    }
  });

  it('writes non-default parameters and warns where Google Authenticator would show wrong codes', () => {
    const { uri, warnings } = formatOtpauthUri({ type: 'totp', secret: SECRET, issuer: 'A', account: 'b', algorithm: 'SHA512', digits: 8, period: 60 });
    expect(uri).toBe(`otpauth://totp/A:b?secret=${B32}&issuer=A&algorithm=SHA512&digits=8&period=60`);
    expect(codes({ warnings })).toEqual(['GA_ALGORITHM', 'GA_DIGITS', 'GA_PERIOD']);
    const h = formatOtpauthUri({ type: 'hotp', secret: SECRET.slice(0, 10), account: 'b', counter: 0 });
    expect(h.uri).toBe(`otpauth://hotp/b?secret=${encodeBase32(SECRET.slice(0, 10))}&counter=0`);
    expect(codes(h)).toEqual(['ISSUER_MISSING', 'SECRET_SHORT']);
  });

  it('accepts base32 secrets and writes them canonically', () => {
    const { uri } = formatOtpauthUri({ type: 'totp', secret: B32.toLowerCase().replace(/(.{4})/g, '$1 '), account: 'a', issuer: 'i' });
    expect(uri).toContain(`secret=${B32}&`);
  });
});

describe('parseOtpauthUri, strict', () => {
  it('parses Google examples and fills defaults', () => {
    const p = parseOtpauthUri({ uri: 'otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example' });
    expect(fields(p)).toEqual({
      type: 'totp',
      secret: Uint8Array.from([0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0xde, 0xad, 0xbe, 0xef]),
      account: 'alice@google.com',
      issuer: 'Example',
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(codes(p)).toEqual(['SECRET_SHORT']);
    const h = parseOtpauthUri({ uri: `otpauth://hotp/ACME%20Co:john.doe@email.com?secret=${B32}&issuer=ACME%20Co&algorithm=SHA256&digits=8&counter=9007199254740991` });
    expect(fields(h)).toMatchObject({ type: 'hotp', issuer: 'ACME Co', account: 'john.doe@email.com', algorithm: 'SHA256', digits: 8, counter: 2 ** 53 - 1 });
  });

  it('takes the issuer from the label prefix, or the parameter alone, and drops spaces before the account', () => {
    expect(parseOtpauthUri({ uri: `otpauth://totp/Acme:%20%20bob?secret=${B32}` })).toMatchObject({ issuer: 'Acme', account: 'bob', warnings: [] });
    expect(parseOtpauthUri({ uri: `otpauth://totp/bob?secret=${B32}&issuer=Acme` })).toMatchObject({ issuer: 'Acme', account: 'bob', warnings: [] });
    const none = parseOtpauthUri({ uri: `otpauth://totp/bob?secret=${B32}` });
    expect(none.issuer).toBeUndefined();
    expect(codes(none)).toEqual(['ISSUER_MISSING']);
    expect(parseOtpauthUri({ uri: `OTPAUTH://TOTP/bob?secret=${B32.toLowerCase()}&issuer=A` })).toMatchObject({ type: 'totp', secret: SECRET });
  });

  it('reads an encoded colon as data', () => {
    expect(parseOtpauthUri({ uri: `otpauth://totp/Acme%3Abob?secret=${B32}&issuer=Acme` })).toMatchObject({ issuer: 'Acme', account: 'Acme:bob' });
  });
});

describe('parseOtpauthUri, lenient', () => {
  it('accepts the Microsoft-style mismatch and + for spaces, keeping the prefix', () => {
    const uri = `otpauth://totp/Some+Company:alice@contoso.com?secret=${B32}&issuer=Microsoft`;
    expect(errorCode(() => parseOtpauthUri({ uri }))).toBe('ERR_OTPAUTH_ENCODING');
    const p = parseOtpauthUri({ uri, lenient: true });
    expect(p).toMatchObject({ issuer: 'Microsoft', labelIssuer: 'Some Company', account: 'alice@contoso.com' });
    expect(codes(p)).toEqual(['ISSUER_MISMATCH', 'PLUS_AS_SPACE']);
    const again = parseOtpauthUri({ uri: formatOtpauthUri(p).uri, lenient: true });
    expect(fields(again)).toEqual(fields(p));
    expect(codes(again)).toEqual(['ISSUER_MISMATCH']);
  });

  it('keeps unknown parameters in order and writes them back', () => {
    const uri = `otpauth://totp/A:b?secret=${B32}&issuer=A&image=https%3A%2F%2Fexample.com%2Fa.png&color=ff0000&image=second`;
    expect(errorCode(() => parseOtpauthUri({ uri }))).toBe('ERR_OTPAUTH_PARAMETER');
    const p = parseOtpauthUri({ uri, lenient: true });
    expect(p.extraParameters).toEqual([
      ['image', 'https://example.com/a.png'],
      ['color', 'ff0000'],
      ['image', 'second'],
    ]);
    expect(codes(p)).toEqual(['UNKNOWN_PARAMETER']);
    expect(fields(parseOtpauthUri({ uri: formatOtpauthUri(p).uri, lenient: true }))).toEqual(fields(p));
  });

  it('tolerates case, spelling, empty segments, missing counter, raw characters, %3A separators', () => {
    const p = parseOtpauthUri({ uri: `otpauth://hotp/Big Corp%3Ajoe?Secret=${B32}&&issuer=Big%20Corp&Algorithm=sha-256&period=30`, lenient: true });
    expect(fields(p)).toEqual({
      type: 'hotp',
      secret: SECRET,
      account: 'joe',
      issuer: 'Big Corp',
      algorithm: 'SHA256',
      digits: 6,
      counter: 0,
      extraParameters: [['period', '30']],
    });
    expect(codes(p)).toEqual(['ALGORITHM_SPELLING', 'COUNTER_MISSING', 'EMPTY_PARAMETER', 'LABEL_ENCODED_SEPARATOR', 'PARAMETER_CASE', 'PARAMETER_NOT_FOR_TYPE', 'UNENCODED_CHARACTER']);
    expect(fields(parseOtpauthUri({ uri: formatOtpauthUri(p).uri, lenient: true }))).toEqual(fields(p));
    const colon = parseOtpauthUri({ uri: `otpauth://totp/A:b:c?secret=${B32}&issuer=`, lenient: true });
    expect(colon).toMatchObject({ issuer: 'A', account: 'b:c' });
    expect(codes(colon)).toEqual(['EMPTY_PARAMETER', 'LABEL_COLON']);
  });
});

// Every strict failure has its own code; lenient mode still refuses what cannot be repaired.
const STRICT: Array<[string, string, string?]> = [
  ['x'.repeat(4097), 'ERR_OTPAUTH_TOO_LONG'],
  ['http://totp/a?secret=' + B32, 'ERR_OTPAUTH_SCHEME'],
  ['otpauth-migration://offline?data=AA', 'ERR_OTPAUTH_SCHEME'],
  ['otpauth:/totp/a?secret=' + B32, 'ERR_OTPAUTH_SCHEME'],
  ['otpauth://motp/a?secret=' + B32, 'ERR_OTPAUTH_TYPE'],
  ['otpauth://totp:80/a?secret=' + B32, 'ERR_OTPAUTH_TYPE'],
  ['otpauth:///a?secret=' + B32, 'ERR_OTPAUTH_TYPE'],
  ['otpauth://totp?secret=' + B32, 'ERR_OTPAUTH_LABEL'],
  ['otpauth://totp/?secret=' + B32, 'ERR_OTPAUTH_LABEL'],
  ['otpauth://totp/A:?secret=' + B32, 'ERR_OTPAUTH_LABEL'],
  ['otpauth://totp/:bob?secret=' + B32, 'ERR_OTPAUTH_LABEL'],
  ['otpauth://totp/A:b:c?secret=' + B32, 'ERR_OTPAUTH_LABEL', 'ok'],
  ['otpauth://totp/a/b?secret=' + B32, 'ERR_OTPAUTH_LABEL', 'ok'],
  [`otpauth://totp/${'a'.repeat(257)}?secret=${B32}`, 'ERR_OTPAUTH_LABEL'],
  ['otpauth://totp/a%0Ab?secret=' + B32, 'ERR_OTPAUTH_LABEL'],
  ['otpauth://totp/a%2?secret=' + B32, 'ERR_OTPAUTH_ENCODING'],
  ['otpauth://totp/a%ZZ?secret=' + B32, 'ERR_OTPAUTH_ENCODING'],
  ['otpauth://totp/a%C3?secret=' + B32, 'ERR_OTPAUTH_ENCODING'],
  ['otpauth://totp/a%ED%A0%80?secret=' + B32, 'ERR_OTPAUTH_ENCODING'],
  ['otpauth://totp/a\u0001?secret=' + B32, 'ERR_OTPAUTH_ENCODING'],
  ['otpauth://totp/a b?secret=' + B32, 'ERR_OTPAUTH_ENCODING', 'ok'],
  ['otpauth://totp/a+b?secret=' + B32, 'ERR_OTPAUTH_ENCODING', 'ok'],
  ['otpauth://totp/é?secret=' + B32, 'ERR_OTPAUTH_ENCODING', 'ok'],
  ['otpauth://totp/a\uD800?secret=' + B32, 'ERR_OTPAUTH_ENCODING'],
  ['otpauth://totp/a?secret=' + B32 + '#frag', 'ERR_OTPAUTH_ENCODING'],
  ['otpauth://totp/a?secret=' + B32 + '&issuer=', 'ERR_OTPAUTH_ISSUER', 'ok'],
  [`otpauth://totp/a?secret=${B32}&issuer=${'i'.repeat(257)}`, 'ERR_OTPAUTH_ISSUER'],
  ['otpauth://totp/a?secret=' + B32 + '&issuer=a%09b', 'ERR_OTPAUTH_ISSUER'],
  ['otpauth://totp/A:b?secret=' + B32 + '&issuer=B', 'ERR_OTPAUTH_ISSUER_MISMATCH', 'ok'],
  ['otpauth://totp/A:b?secret=' + B32 + '&issuer=a', 'ERR_OTPAUTH_ISSUER_MISMATCH', 'ok'],
  ['otpauth://totp/a?secret=' + B32 + '&secret=' + B32, 'ERR_OTPAUTH_PARAMETER'],
  ['otpauth://totp/a?secret=' + B32 + '&image=x', 'ERR_OTPAUTH_PARAMETER', 'ok'],
  ['otpauth://totp/a?Secret=' + B32, 'ERR_OTPAUTH_PARAMETER', 'ok'],
  ['otpauth://totp/a?secret=' + B32 + '&&issuer=A', 'ERR_OTPAUTH_PARAMETER', 'ok'],
  ['otpauth://totp/a?secret=' + B32 + '&flag', 'ERR_OTPAUTH_PARAMETER', 'ok'],
  ['otpauth://totp/a?secret=' + B32 + '&=x', 'ERR_OTPAUTH_PARAMETER'],
  ['otpauth://totp/a?secret=' + B32 + '&counter=1', 'ERR_OTPAUTH_PARAMETER', 'ok'],
  ['otpauth://hotp/a?secret=' + B32 + '&counter=1&period=30', 'ERR_OTPAUTH_PARAMETER', 'ok'],
  [`otpauth://totp/a?secret=${B32}${'&x=1'.repeat(32)}`, 'ERR_OTPAUTH_PARAMETER'],
  ['otpauth://totp/a', 'ERR_OTPAUTH_SECRET'],
  ['otpauth://totp/a?issuer=A', 'ERR_OTPAUTH_SECRET'],
  ['otpauth://totp/a?secret=', 'ERR_OTPAUTH_SECRET'],
  ['otpauth://totp/a?secret=GEZDGNBVGY3TQOJ1', 'ERR_OTPAUTH_SECRET'],
  ['otpauth://totp/a?secret=GEZDGNBVGY3TQOJ', 'ERR_OTPAUTH_SECRET'],
  ['otpauth://totp/a?secret=GEZDGNBVGY3TQ', 'ERR_OTPAUTH_SECRET'],
  [`otpauth://totp/a?secret=${'A'.repeat(1650)}`, 'ERR_OTPAUTH_SECRET'],
  ['otpauth://totp/a?secret=' + B32 + '&algorithm=MD5', 'ERR_OTPAUTH_ALGORITHM'],
  ['otpauth://totp/a?secret=' + B32 + '&algorithm=sha1', 'ERR_OTPAUTH_ALGORITHM', 'ok'],
  ['otpauth://totp/a?secret=' + B32 + '&algorithm=', 'ERR_OTPAUTH_ALGORITHM'],
  ['otpauth://totp/a?secret=' + B32 + '&digits=5', 'ERR_OTPAUTH_DIGITS'],
  ['otpauth://totp/a?secret=' + B32 + '&digits=11', 'ERR_OTPAUTH_DIGITS'],
  ['otpauth://totp/a?secret=' + B32 + '&digits=6.0', 'ERR_OTPAUTH_DIGITS'],
  ['otpauth://totp/a?secret=' + B32 + '&digits=+6', 'ERR_OTPAUTH_ENCODING', 'ERR_OTPAUTH_DIGITS'],
  ['otpauth://totp/a?secret=' + B32 + '&digits=', 'ERR_OTPAUTH_DIGITS'],
  ['otpauth://totp/a?secret=' + B32 + '&period=0', 'ERR_OTPAUTH_PERIOD'],
  ['otpauth://totp/a?secret=' + B32 + '&period=31536001', 'ERR_OTPAUTH_PERIOD'],
  ['otpauth://totp/a?secret=' + B32 + '&period=-30', 'ERR_OTPAUTH_PERIOD'],
  ['otpauth://totp/a?secret=' + B32 + '&period=1e3', 'ERR_OTPAUTH_PERIOD'],
  ['otpauth://hotp/a?secret=' + B32, 'ERR_OTPAUTH_COUNTER', 'ok'],
  ['otpauth://hotp/a?secret=' + B32 + '&counter=9007199254740992', 'ERR_OTPAUTH_COUNTER'],
  ['otpauth://hotp/a?secret=' + B32 + '&counter=-1', 'ERR_OTPAUTH_COUNTER'],
  ['otpauth://hotp/a?secret=' + B32 + '&counter=0x10', 'ERR_OTPAUTH_COUNTER'],
];

describe('bad otpauth URIs: one code each', () => {
  it.each(STRICT)('%s -> %s (lenient: %s)', (uri, strict, lenient) => {
    expect(errorCode(() => parseOtpauthUri({ uri }))).toBe(strict);
    const l = errorCode(() => parseOtpauthUri({ uri, lenient: true }));
    expect(l).toBe(lenient === 'ok' ? 'no error' : (lenient ?? strict));
  });

  it('non-strings', () => {
    expect(errorCode(() => parseOtpauthUri({ uri: undefined as never }))).toBe('ERR_OTPAUTH_TOO_LONG');
    expect(errorCode(() => parseOtpauthUri(`otpauth://totp/a?secret=${B32}` as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});

const BAD_FORMAT: Array<[string, string, Record<string, unknown>]> = [
  ['type', 'ERR_OTPAUTH_TYPE', { type: 'motp' }],
  ['secret short', 'ERR_OTPAUTH_SECRET', { secret: new Uint8Array(9) }],
  ['secret base32', 'ERR_OTPAUTH_SECRET', { secret: 'AB1' }],
  ['secret type', 'ERR_OTPAUTH_SECRET', { secret: 5 }],
  ['account empty', 'ERR_OTPAUTH_LABEL', { account: '' }],
  ['account leading space', 'ERR_OTPAUTH_LABEL', { account: ' bob' }],
  ['account control', 'ERR_OTPAUTH_LABEL', { account: 'a\nb' }],
  ['account long', 'ERR_OTPAUTH_LABEL', { account: 'a'.repeat(257) }],
  ['account type', 'ERR_OTPAUTH_LABEL', { account: 7 }],
  ['issuer empty', 'ERR_OTPAUTH_ISSUER', { issuer: '' }],
  ['labelIssuer without issuer', 'ERR_OTPAUTH_ISSUER', { issuer: undefined, labelIssuer: 'X' }],
  ['labelIssuer empty', 'ERR_OTPAUTH_LABEL', { labelIssuer: '' }],
  ['algorithm', 'ERR_OTPAUTH_ALGORITHM', { algorithm: 'MD5' }],
  ['digits', 'ERR_OTPAUTH_DIGITS', { digits: 12 }],
  ['period', 'ERR_OTPAUTH_PERIOD', { period: 0 }],
  ['counter missing', 'ERR_OTPAUTH_COUNTER', { type: 'hotp' }],
  ['counter negative', 'ERR_OTPAUTH_COUNTER', { type: 'hotp', counter: -1 }],
  ['extra not an array', 'ERR_OTPAUTH_PARAMETER', { extraParameters: 'x' }],
  ['extra repeats secret', 'ERR_OTPAUTH_PARAMETER', { extraParameters: [['SECRET', 'x']] }],
  ['extra period on totp', 'ERR_OTPAUTH_PARAMETER', { extraParameters: [['period', '30']] }],
  ['extra empty name', 'ERR_OTPAUTH_PARAMETER', { extraParameters: [['', 'x']] }],
  ['extra bad pair', 'ERR_OTPAUTH_PARAMETER', { extraParameters: [['a']] }],
  ['too many extras', 'ERR_OTPAUTH_PARAMETER', { extraParameters: Array.from({ length: 29 }, (_, i) => [`x${i}`, '1']) }],
  ['too long', 'ERR_OTPAUTH_TOO_LONG', { extraParameters: [['x', 'y'.repeat(4100)]] }],
];

describe('formatOtpauthUri refuses bad input with the parser codes', () => {
  it.each(BAD_FORMAT)('%s -> %s', (_, expected, patch) => {
    const params = { type: 'totp', secret: SECRET, account: 'bob', issuer: 'Acme', ...patch };
    expect(errorCode(() => formatOtpauthUri(params as never))).toBe(expected);
  });
  it('not an object', () => {
    expect(errorCode(() => formatOtpauthUri(undefined as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('the local base32 encoder', () => {
  it("equals core's encodeBase32 for every length 0..64", async () => {
    const { base32 } = await import('../src/_uri.js');
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n * 29) & 0xff);
      expect(base32(bytes)).toBe(encodeBase32(bytes));
    }
  });
});
