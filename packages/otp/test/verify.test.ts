// Verification semantics: typed results for what users type, windows and their caps, replay
// protection with afterStep, HOTP look-ahead and resynchronisation, and misuse codes.
import { encodeBase32, fixedClock, isCloudMfaError, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { createOtpKey, hotp, totp, totpStep } from '../src/index.js';
import { generateSecret, resyncHotp, verifyHotp, verifyTotp } from '../src/server.js';

const seed = utf8Encode('12345678901234567890');
const key = createOtpKey({ secret: seed });
const T = 1_700_000_010_000; // ms; step 56,666,667
const STEP = Math.floor(T / 30000);
const at = (step: number) => hotp({ secret: key, counter: step });
const code = (err: unknown) => (isCloudMfaError(err) ? err.code : String(err));
const throwsCode = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return code(err);
  }
  return 'no error';
};

describe('verifyTotp', () => {
  const now = fixedClock(T);

  it('accepts the current code, with spaces, tabs, line breaks and dashes', () => {
    const c = at(STEP);
    for (const typed of [c, `${c.slice(0, 3)} ${c.slice(3)}`, `${c.slice(0, 3)}-${c.slice(3)}`, ` ${c}\n`, `\t${c}\r\n`]) {
      expect(verifyTotp({ secret: key, code: typed, now })).toEqual({ ok: true, delta: 0, step: STEP });
    }
  });

  it('returns format, length and mismatch without throwing', () => {
    expect(verifyTotp({ secret: key, code: '12a456', now })).toEqual({ ok: false, reason: 'format' });
    expect(verifyTotp({ secret: key, code: '１２３４５６', now })).toEqual({ ok: false, reason: 'format' });
    expect(verifyTotp({ secret: key, code: '12345', now })).toEqual({ ok: false, reason: 'length' });
    expect(verifyTotp({ secret: key, code: '1234567', now })).toEqual({ ok: false, reason: 'length' });
    expect(verifyTotp({ secret: key, code: '', now })).toEqual({ ok: false, reason: 'length' });
    expect(verifyTotp({ secret: key, code: '1'.repeat(65), now })).toEqual({ ok: false, reason: 'length' });
    expect(verifyTotp({ secret: key, code: undefined as unknown as string, now })).toEqual({ ok: false, reason: 'format' });
    expect(verifyTotp({ secret: key, code: 123456 as unknown as string, now })).toEqual({ ok: false, reason: 'format' });
    const wrong = String((Number(at(STEP)) + 1) % 1e6).padStart(6, '0');
    if (![STEP - 1, STEP, STEP + 1].some((s) => at(s) === wrong)) {
      expect(verifyTotp({ secret: key, code: wrong, now })).toEqual({ ok: false, reason: 'mismatch' });
    }
  });

  it('accepts exactly the window, reports delta and step', () => {
    for (let d = -3; d <= 3; d++) {
      const r = verifyTotp({ secret: key, code: at(STEP + d), now, window: { past: 2, future: 1 } });
      if (d >= -2 && d <= 1) expect(r).toEqual({ ok: true, delta: d, step: STEP + d });
      else expect(r).toEqual({ ok: false, reason: 'mismatch' });
    }
    expect(verifyTotp({ secret: key, code: at(STEP + 1), now, window: 0 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTotp({ secret: key, code: at(STEP - 10), now, window: 10 })).toEqual({ ok: true, delta: -10, step: STEP - 10 });
  });

  it('refuses a step at or below afterStep as replayed, accepts a later one', () => {
    const c = at(STEP);
    expect(verifyTotp({ secret: key, code: c, now, afterStep: STEP })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp({ secret: key, code: c, now, afterStep: STEP + 5 })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp({ secret: key, code: c, now, afterStep: STEP - 1 })).toEqual({ ok: true, delta: 0, step: STEP });
    expect(verifyTotp({ secret: key, code: at(STEP + 1), now, afterStep: STEP })).toEqual({ ok: true, delta: 1, step: STEP + 1 });
  });

  it('honours period, t0, digits and algorithm', () => {
    const k256 = createOtpKey({ secret: seed, algorithm: 'SHA256' });
    const opts = { period: 45, t0: 1_000_000, digits: 8, algorithm: 'SHA256' as const };
    const c = totp({ secret: k256, ...opts, now });
    const step = Math.floor((T / 1000 - 1_000_000) / 45);
    expect(c).toBe(hotp({ secret: k256, counter: step, digits: 8 }));
    expect(verifyTotp({ secret: k256, code: c, now, ...opts })).toEqual({ ok: true, delta: 0, step });
    expect(verifyTotp({ secret: seed, code: c, now, ...opts })).toEqual({ ok: true, delta: 0, step });
  });

  it('skips steps before t0 instead of failing', () => {
    const clock = () => 15_000; // step 0 at t0 = 0
    expect(verifyTotp({ secret: key, code: at(0), now: clock, window: 3 })).toEqual({ ok: true, delta: 0, step: 0 });
    expect(verifyTotp({ secret: key, code: at(1), now: clock, window: 3 })).toEqual({ ok: true, delta: 1, step: 1 });
  });

  it('throws typed errors for misuse', () => {
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, window: 11 }))).toBe('ERR_OTP_WINDOW');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, window: -1 }))).toBe('ERR_OTP_WINDOW');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, window: { past: 1 } as never }))).toBe('ERR_OTP_WINDOW');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, window: 'x' as never }))).toBe('ERR_OTP_WINDOW');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, afterStep: 1.5 }))).toBe('ERR_OTP_AFTER_STEP');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, digits: 5 }))).toBe('ERR_OTP_DIGITS');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, period: 0 }))).toBe('ERR_OTP_PERIOD');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, t0: 0.5 }))).toBe('ERR_OTP_T0');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now, algorithm: 'SHA256' }))).toBe('ERR_OTP_ALGORITHM');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now: () => Number.NaN }))).toBe('ERR_OTP_TIME');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now: () => -1 }))).toBe('ERR_OTP_TIME');
    expect(throwsCode(() => verifyTotp({ secret: key, code: '000000', now: () => '5' as never }))).toBe('ERR_OTP_TIME');
    expect(throwsCode(() => verifyTotp({ secret: new Uint8Array(9), code: '000000', now }))).toBe('ERR_OTP_SECRET');
    expect(throwsCode(() => verifyTotp({ secret: 'GEZDGNBVGY3TQOJQ' as never, code: '000000', now }))).toBe('ERR_OTP_SECRET');
    expect(throwsCode(() => verifyTotp({ secret: {} as never, code: '000000', now }))).toBe('ERR_OTP_SECRET');
    expect(throwsCode(() => verifyTotp(undefined as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('totp and totpStep', () => {
  it('reads the injected clock only', () => {
    const clock = fixedClock(59_000);
    expect(totp({ secret: key, now: clock, digits: 8 })).toBe('94287082');
    expect(totpStep({ now: clock })).toEqual({ step: 1, remainingMs: 1000 });
    clock.advance(1000);
    expect(totpStep({ now: clock })).toEqual({ step: 2, remainingMs: 30000 });
    expect(totpStep({ now: () => 10_500, period: 7, t0: 3 })).toEqual({ step: 1, remainingMs: 6500 });
  });

  it('throws for a clock before t0 and bad parameters', () => {
    expect(throwsCode(() => totp({ secret: key, now: () => 1000, t0: 2 }))).toBe('ERR_OTP_TIME');
    expect(throwsCode(() => totp({ secret: key, now: () => 1000, period: 31_536_001 }))).toBe('ERR_OTP_PERIOD');
    expect(throwsCode(() => totp({ secret: key, now: () => 1000, digits: 11 }))).toBe('ERR_OTP_DIGITS');
    expect(throwsCode(() => totp(null as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(throwsCode(() => hotp('not an options object' as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('hotp and verifyHotp', () => {
  it('counters up to 2^53 - 1, no further', () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(hotp({ secret: key, counter: max })).toMatch(/^\d{6}$/);
    expect(throwsCode(() => hotp({ secret: key, counter: max + 1 }))).toBe('ERR_OTP_COUNTER');
    expect(throwsCode(() => hotp({ secret: key, counter: -1 }))).toBe('ERR_OTP_COUNTER');
    expect(throwsCode(() => hotp({ secret: key, counter: 1.5 }))).toBe('ERR_OTP_COUNTER');
    expect(verifyHotp({ secret: key, code: hotp({ secret: key, counter: max }), counter: max - 3 })).toEqual({ ok: true, delta: 3, counter: max });
  });

  it('looks ahead only, never behind', () => {
    expect(verifyHotp({ secret: key, code: at(100), counter: 95, lookAhead: 5 })).toEqual({ ok: true, delta: 5, counter: 100 });
    expect(verifyHotp({ secret: key, code: at(100), counter: 95, lookAhead: 4 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHotp({ secret: key, code: at(100), counter: 101 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHotp({ secret: key, code: 'abcdef', counter: 0 })).toEqual({ ok: false, reason: 'format' });
    expect(verifyHotp({ secret: key, code: '1234', counter: 0 })).toEqual({ ok: false, reason: 'length' });
  });

  it('caps the look-ahead', () => {
    expect(throwsCode(() => verifyHotp({ secret: key, code: '000000', counter: 0, lookAhead: 1001 }))).toBe('ERR_OTP_WINDOW');
    expect(throwsCode(() => verifyHotp({ secret: key, code: '000000', counter: -1 }))).toBe('ERR_OTP_COUNTER');
  });
});

describe('resyncHotp (RFC 4226 7.4)', () => {
  it('finds two consecutive codes far ahead and returns the last counter', () => {
    expect(resyncHotp({ secret: key, codes: [at(750), at(751)], counter: 10 })).toEqual({ ok: true, delta: 740, counter: 751 });
    expect(resyncHotp({ secret: key, codes: [at(12), at(13), at(14)], counter: 10, lookAhead: 2 })).toEqual({ ok: true, delta: 2, counter: 14 });
  });

  it('refuses non-consecutive codes, codes behind, and out-of-range positions', () => {
    expect(resyncHotp({ secret: key, codes: [at(750), at(752)], counter: 10 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(resyncHotp({ secret: key, codes: [at(5), at(6)], counter: 10 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(resyncHotp({ secret: key, codes: [at(13), at(14)], counter: 10, lookAhead: 2 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(resyncHotp({ secret: key, codes: [at(12), 'x'], counter: 10 })).toEqual({ ok: false, reason: 'format' });
    expect(resyncHotp({ secret: key, codes: [at(12), '1'], counter: 10 })).toEqual({ ok: false, reason: 'length' });
  });

  it('near 2^53 - 1', () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(resyncHotp({ secret: key, codes: [hotp({ secret: key, counter: max - 1 }), hotp({ secret: key, counter: max })], counter: max - 10 })).toEqual({ ok: true, delta: 9, counter: max });
  });

  it('throws for misuse', () => {
    expect(throwsCode(() => resyncHotp({ secret: key, codes: [at(1)], counter: 0 }))).toBe('ERR_OTP_CODES');
    expect(throwsCode(() => resyncHotp({ secret: key, codes: 'x' as never, counter: 0 }))).toBe('ERR_OTP_CODES');
    expect(throwsCode(() => resyncHotp({ secret: key, codes: ['1', '2', '3', '4', '5'], counter: 0 }))).toBe('ERR_OTP_CODES');
    expect(throwsCode(() => resyncHotp({ secret: key, codes: [at(1), at(2)], counter: 0, lookAhead: 10_001 }))).toBe('ERR_OTP_WINDOW');
    expect(throwsCode(() => resyncHotp({ secret: key, codes: [at(1), at(2)], counter: 0, lookAhead: 0 }))).toBe('ERR_OTP_WINDOW');
  });
});

describe('secrets and keys', () => {
  it('generates 160 bits by default, never fewer than 128, from the injected source', () => {
    let asked = 0;
    const random = (n: number) => {
      asked = n;
      return new Uint8Array(n).fill(7);
    };
    expect(generateSecret({ random })).toEqual(new Uint8Array(20).fill(7));
    expect(asked).toBe(20);
    expect(generateSecret({ random, bytes: 16 }).length).toBe(16);
    expect(throwsCode(() => generateSecret({ random, bytes: 15 }))).toBe('ERR_OTP_SECRET');
    expect(throwsCode(() => generateSecret({ random: (n) => new Uint8Array(n - 1) }))).toBe('ERR_NO_RANDOM_SOURCE');
  });

  it('accepts 80-bit secrets with a warning, refuses fewer', () => {
    const k80 = createOtpKey({ secret: new Uint8Array(10) });
    expect(k80.bits).toBe(80);
    expect(k80.warnings.map((w) => w.code)).toEqual(['SECRET_SHORT']);
    expect(createOtpKey({ secret: new Uint8Array(16) }).warnings).toEqual([]);
    expect(throwsCode(() => createOtpKey({ secret: new Uint8Array(9) }))).toBe('ERR_OTP_SECRET');
    expect(throwsCode(() => createOtpKey({ secret: new Uint8Array(1025) }))).toBe('ERR_OTP_SECRET');
    expect(throwsCode(() => createOtpKey({ secret: 'GEZDGNBVGY3TQOJQ!' }))).toBe('ERR_BASE32_INVALID');
    expect(throwsCode(() => createOtpKey({ secret: 42 as never }))).toBe('ERR_OTP_SECRET');
    expect(throwsCode(() => createOtpKey({ secret: seed, algorithm: 'MD5' as never }))).toBe('ERR_OTP_ALGORITHM');
    expect(throwsCode(() => createOtpKey({ secret: seed, crypto: {} as never }))).toBe('ERR_OTP_CRYPTO');
  });

  it('base32 is forgiving about case, spaces and padding', () => {
    const k = createOtpKey({ secret: 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq' });
    expect(hotp({ secret: k, counter: 0 })).toBe('755224');
    const sixteen = Uint8Array.from({ length: 16 }, (_, i) => i * 11);
    const padded = encodeBase32(sixteen, { padding: true });
    expect(padded.endsWith('======')).toBe(true);
    expect(hotp({ secret: createOtpKey({ secret: padded }), counter: 3 })).toBe(hotp({ secret: sixteen, counter: 3 }));
    expect(hotp({ secret: createOtpKey({ secret: padded.replace(/=/g, '').toLowerCase() }), counter: 3 })).toBe(hotp({ secret: sixteen, counter: 3 }));
  });

  it('keys show no secret material and copy the secret', () => {
    const bytes = Uint8Array.from(seed);
    const k = createOtpKey({ secret: bytes });
    bytes.fill(0);
    expect(hotp({ secret: k, counter: 0 })).toBe('755224');
    expect(JSON.stringify(k)).toBe('{"algorithm":"SHA1","bits":160,"warnings":[]}');
    expect(Object.getOwnPropertyNames(k).sort()).toEqual(['algorithm', 'bits', 'warnings']);
    expect(Object.getOwnPropertySymbols(k)).toEqual([]);
    expect(Object.isFrozen(k)).toBe(true);
  });

  it('a failing CryptoProvider gives ERR_OTP_CRYPTO and no cause', () => {
    const k = createOtpKey({
      secret: seed,
      crypto: {
        ...pureJsCryptoProvider,
        hmac: () => {
          throw new Error(`boom with secret ${Buffer.from(seed).toString('hex')}`);
        },
      },
    });
    try {
      hotp({ secret: k, counter: 0 });
      expect.unreachable();
    } catch (err) {
      expect(code(err)).toBe('ERR_OTP_CRYPTO');
      expect((err as Error).cause).toBeUndefined();
    }
    const short = createOtpKey({ secret: seed, crypto: { ...pureJsCryptoProvider, hmac: () => new Uint8Array(3) } });
    expect(throwsCode(() => hotp({ secret: short, counter: 0 }))).toBe('ERR_OTP_CRYPTO');
  });
});

describe('a secret given as bytes per call (one-shot key states)', () => {
  const now = fixedClock(T);
  const other = utf8Encode('another secret of 24 b.');

  it('gives the codes of a created key, for every algorithm and secret lengths off a word and over a block', () => {
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      for (const len of [10, 17, 20, 31, 64, 65, 128, 129, 200]) {
        const secret = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff);
        const k = createOtpKey({ secret, algorithm });
        for (const counter of [0, 1, 2 ** 32 + 5]) expect(hotp({ secret, algorithm, counter })).toBe(hotp({ secret: k, counter }));
      }
    }
  });

  it('is not disturbed by a code getter that computes a code with another secret', () => {
    const c = totp({ secret: seed, now });
    const options = {
      secret: seed,
      now,
      get code() {
        totp({ secret: other, now });
        return c;
      },
    };
    expect(verifyTotp(options)).toEqual({ ok: true, delta: 0, step: STEP });
    const h = hotp({ secret: seed, counter: 7 });
    const hotpOptions = {
      secret: seed,
      counter: 7,
      get code() {
        hotp({ secret: other, counter: 7 });
        return h;
      },
    };
    expect(verifyHotp(hotpOptions)).toEqual({ ok: true, delta: 0, counter: 7 });
    const codes = new Proxy([hotp({ secret: seed, counter: 3 }), hotp({ secret: seed, counter: 4 })], {
      get(target, p, r) {
        if (p === '0') hotp({ secret: other, counter: 0 });
        return Reflect.get(target, p, r);
      },
    });
    expect(resyncHotp({ secret: seed, codes, counter: 0 })).toMatchObject({ ok: true, counter: 4 });
  });
});
