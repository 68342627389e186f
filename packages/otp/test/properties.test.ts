// Property tests (fast-check, seeded): URI and migration round trips, generate-then-verify,
// verification never throwing on what a user types, base32 round trips, no secret in errors.
import { encodeBase32, isCloudMfaError } from '@cloudmfa/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOtpKey, hotp, type OtpauthInput, parseOtpauthUri, type ParsedOtpauthUri, totp } from '../src/index.js';
import { formatOtpauthUri, verifyHotp, verifyTotp } from '../src/server.js';
import { importMigration } from '../src/migration.js';
import { exportMigration } from '../src/server.js';

const RUNS = { seed: 42, numRuns: 300 };
const fields = ({ warnings: _, ...p }: ParsedOtpauthUri) => p;

// Text a user might put in an issuer or account: anything printable, including ':', ' ', '+',
// '%', '&', '=', '#', '?', '/', and non-ASCII; no control characters; no leading space.
const text = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(':', ' ', '+', '%', '&', '=', '#', '?', '/', '@', 'é', '🔐', 'Ω'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 40,
  })
  .map((s) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, 'x').replace(/^ +/, ''))
  .filter((s) => s.length >= 1 && s.length <= 256);
const algorithm = fc.constantFrom('SHA1', 'SHA256', 'SHA512' as const);
const secret = fc.uint8Array({ minLength: 10, maxLength: 64 });

const params = fc.record({
  type: fc.constantFrom('totp', 'hotp' as const),
  secret,
  account: text,
  issuer: fc.option(text, { nil: undefined }),
  algorithm,
  digits: fc.integer({ min: 6, max: 10 }),
  period: fc.integer({ min: 1, max: 31_536_000 }),
  counter: fc.maxSafeNat(),
});
type Params = typeof params extends fc.Arbitrary<infer T> ? T : never;
const toInput = (p: Params): OtpauthInput => {
  const { type, period, counter, issuer, ...rest } = p;
  return { ...rest, ...(issuer === undefined ? {} : { issuer }), ...(type === 'totp' ? { type, period } : { type, counter }) } as OtpauthInput;
};

describe('otpauth round trips', () => {
  it('strict: parse(format(p)) gives p back', () => {
    fc.assert(
      fc.property(params, (p) => {
        const input = toInput(p);
        expect(fields(parseOtpauthUri({ uri: formatOtpauthUri(input).uri }))).toEqual(input);
      }),
      RUNS,
    );
  });

  it('lenient: for every URI it accepts, parse(format(parse(u))) equals parse(u)', () => {
    const messy = fc
      .record({
        p: params,
        prefix: fc.option(text, { nil: undefined }),
        plus: fc.boolean(),
        extras: fc.array(fc.tuple(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,8}$/), fc.string({ maxLength: 12 })), { maxLength: 4 }),
        upper: fc.boolean(),
      })
      .map(({ p, prefix, plus, extras, upper }) => {
        let uri = formatOtpauthUri(toInput(p)).uri;
        if (prefix !== undefined && p.issuer !== undefined) uri = uri.replace(/^(otpauth:\/\/[a-z]+\/)[^:?]*:/, `$1${encodeURIComponent(prefix)}:`);
        if (plus) uri = uri.replace(/%20/g, '+');
        for (const [k, v] of extras) uri += `&${k}=${encodeURIComponent(v)}`;
        if (upper) uri = uri.replace('secret=', 'SECRET=');
        return uri;
      });
    fc.assert(
      fc.property(messy, (uri) => {
        let first: ParsedOtpauthUri;
        try {
          first = parseOtpauthUri({ uri, lenient: true });
        } catch (err) {
          // Refusals are fine (e.g. a duplicate known parameter); they must be typed.
          expect(isCloudMfaError(err)).toBe(true);
          return;
        }
        expect(fields(parseOtpauthUri({ uri: formatOtpauthUri(first).uri, lenient: true }))).toEqual(fields(first));
      }),
      RUNS,
    );
  });

  it('parsers never throw anything but CloudMfaError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant('otpauth://totp/').chain((p) => fc.string().map((s) => p + s))), (uri) => {
        for (const run of [() => parseOtpauthUri({ uri }), () => parseOtpauthUri({ uri, lenient: true }), () => importMigration(uri)]) {
          try {
            run();
          } catch (err) {
            expect(isCloudMfaError(err)).toBe(true);
          }
        }
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe('migration round trip', () => {
  it('importMigration(exportMigration({ accounts: a })) gives a back (6/8 digits, 30 s)', () => {
    const entry = params.map((p) => ({ ...toInput({ ...p, period: 30 }), digits: p.digits % 2 ? 6 : 8 }) as OtpauthInput);
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 5 }), (accounts, batchId, maxPerUri) => {
        const uris = exportMigration({ accounts, batchId, maxPerUri });
        const back = importMigration(uris);
        expect(back.complete).toBe(true);
        expect(back.batchId).toBe(batchId);
        expect(back.accounts.map(fields)).toEqual(accounts.map((a) => (a.type === 'totp' ? { ...a, period: 30 } : a)));
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

describe('generate, then verify', () => {
  it('TOTP: the code at now + delta steps verifies with that delta inside the window', () => {
    fc.assert(
      fc.property(
        secret,
        algorithm,
        fc.integer({ min: 6, max: 10 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 2 ** 34 }),
        fc.integer({ min: -3, max: 3 }),
        (s, alg, digits, period, t0, offset, delta) => {
          const key = createOtpKey({ secret: s, algorithm: alg });
          const nowMs = (t0 + offset + 3 * period) * 1000;
          const code = totp({ secret: key, now: () => nowMs + delta * period * 1000, period, t0, digits });
          const step = Math.floor((nowMs / 1000 - t0) / period);
          const r = verifyTotp({ secret: key, code, now: () => nowMs, period, t0, digits, window: 3 });
          // Another step of the window may collide (10^-digits); the nearest match is reported.
          if (r.ok && r.delta !== delta) expect(Math.abs(r.delta)).toBeLessThanOrEqual(Math.abs(delta));
          else expect(r).toEqual({ ok: true, delta, step: step + delta });
          expect(verifyTotp({ secret: key, code, now: () => nowMs, period, t0, digits, window: 3, afterStep: step + 3 })).toEqual({ ok: false, reason: 'replayed' });
        },
      ),
      RUNS,
    );
  });

  it('HOTP: a code ahead within the look-ahead verifies', () => {
    fc.assert(
      fc.property(secret, fc.integer({ min: 0, max: 2 ** 53 - 100 }), fc.integer({ min: 0, max: 20 }), (s, counter, ahead) => {
        const key = createOtpKey({ secret: s });
        const r = verifyHotp({ secret: key, code: hotp({ secret: key, counter: counter + ahead }), counter, lookAhead: 20 });
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.counter - counter).toBeLessThanOrEqual(ahead);
      }),
      RUNS,
    );
  });
});

describe('verification never throws on what a user typed', () => {
  const key = createOtpKey({ secret: new Uint8Array(20).fill(9) });
  it('arbitrary strings and values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 200 }), fc.stringMatching(/^[0-9 \-]{0,12}$/), fc.anything()), (typed) => {
        const t = verifyTotp({ secret: key, code: typed as string, now: () => 1_700_000_000_000 });
        const h = verifyHotp({ secret: key, code: typed as string, counter: 5 });
        expect(typeof t.ok).toBe('boolean');
        expect(typeof h.ok).toBe('boolean');
        if (!t.ok) expect(['format', 'length', 'mismatch', 'replayed']).toContain(t.reason);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe('base32 secrets', () => {
  it('createOtpKey({ secret: base32(bytes) }) behaves as the bytes, in any case, spaced, padded or not', () => {
    fc.assert(
      fc.property(secret, fc.boolean(), fc.boolean(), (s, lower, padding) => {
        let b32 = encodeBase32(s, { padding });
        if (lower) b32 = b32.toLowerCase().replace(/(.{4})/g, '$1 ');
        expect(hotp({ secret: createOtpKey({ secret: b32 }), counter: 7 })).toBe(hotp({ secret: s, counter: 7 }));
      }),
      RUNS,
    );
  });
});

describe('no secret in errors', () => {
  it('URI failures never quote the secret', () => {
    fc.assert(
      fc.property(secret, fc.constantFrom('&digits=5', '&algorithm=MD5', '&period=0', '&x=1', '&issuer=B', '1'), (s, tail) => {
        const b32 = encodeBase32(s);
        const uri = `otpauth://totp/A:b?secret=${b32}${tail}`;
        try {
          parseOtpauthUri({ uri });
        } catch (err) {
          const seen = `${(err as Error).message} ${String((err as Error).cause ?? '')} ${JSON.stringify(err)}`;
          expect(seen).not.toContain(b32.slice(0, 12));
        }
      }),
      RUNS,
    );
  });
});
