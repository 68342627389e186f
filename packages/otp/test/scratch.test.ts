// A secret given as bytes is set up in shared module scratch on every call (no allocation):
// when the call returns, nothing derived from the secret or from a code may be left there.
import { utf8Encode } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { DIGEST, IPAD, ONE_SHOT, OPAD, OUTER } from '../src/_hmac.js';
// The SHA-512 schedule lives in core (the one SHA family); the same module instance otp imports
// through @cloudmfa/core/sha, which does not re-export these scratch arrays.
import { WH, WL } from '../../core/src/crypto/sha.js';
import { createOtpKey, hotp, totp } from '../src/index.js';
import { resyncHotp, verifyHotp, verifyTotp } from '../src/server.js';

const ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
const now = () => 1_700_000_000_000;
// Every length class: a partial last word, whole words, a block, a key longer than a block.
const secrets = [10, 20, 32, 64, 129].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) | 1));
const zero = (a: Int32Array) => a.every((w) => w === 0);

/** What the scratch must hold between calls: pads, zeros, and the blocks' fixed padding words. */
function expectClean(): void {
  expect(IPAD.every((w) => w === 0x36363636)).toBe(true);
  expect(OPAD.every((w) => w === 0x5c5c5c5c)).toBe(true);
  for (const s of ONE_SHOT) expect(zero(s.inner) && zero(s.outer)).toBe(true);
  // The outer blocks' data words are the inner digest (20, 32 or 64 bytes); then the fixed padding.
  OUTER.forEach((block, alg) => expect(zero(block.subarray(0, [5, 8, 16][alg])), `OUTER[${alg}]`).toBe(true));
  expect(zero(DIGEST) && zero(WH) && zero(WL)).toBe(true);
}

describe('module scratch after a call with the secret as bytes', () => {
  it.each(ALGORITHMS)('%s: totp, hotp, verifyTotp, verifyHotp and resyncHotp leave nothing behind', (algorithm) => {
    for (const secret of secrets) {
      const code = totp({ secret, now, algorithm });
      expectClean();
      expect(hotp({ secret, counter: 7, algorithm })).toBe(hotp({ secret: createOtpKey({ secret, algorithm }), counter: 7 }));
      expectClean();
      expect(verifyTotp({ secret, code, now, algorithm }).ok).toBe(true);
      expectClean();
      expect(verifyTotp({ secret, code: 'x', now, algorithm })).toEqual({ ok: false, reason: 'format' });
      expectClean();
      expect(verifyHotp({ secret, code: hotp({ secret, counter: 3, algorithm }), counter: 0, algorithm }).ok).toBe(true);
      expectClean();
      expect(verifyHotp({ secret, code: '12345', counter: 0, algorithm })).toEqual({ ok: false, reason: 'length' });
      expectClean();
      const codes = [hotp({ secret, counter: 5, algorithm }), hotp({ secret, counter: 6, algorithm })];
      expect(resyncHotp({ secret, codes, counter: 0, lookAhead: 10, algorithm })).toEqual({ ok: true, delta: 5, counter: 6 });
      expectClean();
      expect(resyncHotp({ secret, codes: ['x', codes[1] as string], counter: 0, algorithm })).toEqual({ ok: false, reason: 'format' });
      expectClean();
    }
  });

  it('a key made once keeps its own states; using it leaves the shared scratch clean too', () => {
    const key = createOtpKey({ secret: utf8Encode('12345678901234567890') });
    expect(totp({ secret: key, now: () => 59_000, digits: 8 })).toBe('94287082'); // RFC 6238 Appendix B
    expectClean();
    expect(verifyTotp({ secret: key, code: '94287082', now: () => 59_000, digits: 8, afterStep: 1 })).toEqual({ ok: false, reason: 'replayed' });
    expectClean();
  });
});
