// docs/protocol/activation.md is implementable from its text: envelopes sealed here by an
// independent mini-encoder written from the spec's byte layout (sections 1, 2, 2.1, 2.2, 3.1,
// 6), with @noble primitives and a base45 of its own, never the package's encoders, and opened
// by the SDK (readEnvelopeHeader, openEnvelope). Each case checks the outcome the spec states:
// - 3.1: encoders MUST elide `https://`; decoders MUST accept it written out (bit 7 clear).
// - 3.1: `minPinLength` is checked (4..16) whether or not a PIN is required.
// - 6: the password normalisation steps and their order.
import { normalizePassword, openEnvelope, readEnvelopeHeader } from '@cloudmfa/activation';
import { createActivationPayload, sealEnvelope } from '@cloudmfa/activation/server';
import { CloudMfaError } from '@cloudmfa/core';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { describe, expect, it } from 'vitest';
import { rejection, seededRandom, T0 } from './helpers.js';

// ---- the mini-encoder (from the spec's text only) -------------------------------------------

const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** RFC 9285: two bytes -> three characters (least significant first), a last byte -> two. */
function base45(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) {
    if (i + 1 < bytes.length) {
      const n = (bytes[i] as number) * 256 + (bytes[i + 1] as number);
      out += BASE45[n % 45]! + BASE45[Math.floor(n / 45) % 45]! + BASE45[Math.floor(n / 2025)]!;
    } else {
      const n = bytes[i] as number;
      out += BASE45[n % 45]! + BASE45[Math.floor(n / 45)]!;
    }
  }
  return out;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

interface OnlineFields {
  origin: Uint8Array; // the origin bytes exactly as written
  originFlag: 0 | 0x80; // bit 7: `https://` elided
  pinRequired?: boolean;
  minPinLength?: number;
}

/** Section 3.1, field by field. */
function onlinePayload({ origin, originFlag, pinRequired = false, minPinLength = 6 }: OnlineFields): Uint8Array {
  const issuer = new TextEncoder().encode('Acme Corporation');
  return Uint8Array.from([
    ...new Uint8Array(16).fill(0x11), // activationId
    ...new Uint8Array(32).fill(0x22), // activationSecret
    (pinRequired ? 1 : 0) | 2, // policy flags: biometricsAllowed
    minPinLength,
    (0 << 4) | 6, // OTP byte: SHA1, 6 digits
    ...u16(30), // period
    issuer.length,
    ...issuer,
    originFlag | origin.length,
    ...origin,
  ]);
}

const SALT = new Uint8Array(16).fill(0x5a);
const ISSUED_AT = T0 / 1000;
const KDF = { log2N: 10, r: 8, p: 1 }; // cheap: the spec caps the cost when opening, it sets no floor
const PASSWORD = 'K7Q2-M9XD-4HRP';

/** Sections 1, 2, 2.1, 2.2: header as associated data, XChaCha20-Poly1305 under the zero nonce. */
function sealByHand(payload: Uint8Array, password = PASSWORD): string {
  const header = Uint8Array.from([0x11, 0x01, KDF.log2N, KDF.r, KDF.p, ...SALT, ...u32(ISSUED_AT), ...u16(300)]);
  expect(header.length).toBe(27);
  const key = scrypt(new TextEncoder().encode(normalizePassword(password)), SALT, { N: 2 ** KDF.log2N, r: KDF.r, p: KDF.p, dkLen: 32 });
  const sealed = xchacha20poly1305(key, new Uint8Array(24), header).encrypt(payload);
  const envelope = new Uint8Array(header.length + sealed.length);
  envelope.set(header);
  envelope.set(sealed, header.length);
  return `CMFA:${base45(envelope)}`;
}

const open = (text: string, password = PASSWORD) => openEnvelope({ text, password, now: () => T0 });

// ---- 3.1 the origin's https:// prefix -------------------------------------------------------

describe('spec 3.1: encoders MUST elide https://, decoders MUST accept it written out', () => {
  it('opens an origin with the prefix elided (bit 7 set)', async () => {
    const text = sealByHand(onlinePayload({ origin: ascii('auth.example.org'), originFlag: 0x80 }));
    expect(readEnvelopeHeader({ text })).toMatchObject({ version: 1, mode: 'online', issuedAt: T0, expiresAt: T0 + 300_000 });
    const opened = await open(text);
    expect(opened.payload).toMatchObject({ mode: 'online', origin: 'https://auth.example.org', issuer: 'Acme Corporation' });
  });

  it('opens the same origin written out with bit 7 clear, as the same origin', async () => {
    const elided = await open(sealByHand(onlinePayload({ origin: ascii('auth.example.org'), originFlag: 0x80 })));
    const written = await open(sealByHand(onlinePayload({ origin: ascii('https://auth.example.org'), originFlag: 0 })));
    expect(written.payload).toEqual(elided.payload);
    expect(written.preview).toEqual(elided.preview);
  });

  it('reads bit 7 clear as the bytes alone (a loopback http:// origin) and refuses a doubled prefix', async () => {
    const loopback = await open(sealByHand(onlinePayload({ origin: ascii('http://127.0.0.1:8080'), originFlag: 0 })));
    expect(loopback.payload).toMatchObject({ origin: 'http://127.0.0.1:8080' });
    const doubled = await rejection(open(sealByHand(onlinePayload({ origin: ascii('https://auth.example.org'), originFlag: 0x80 }))));
    expect(doubled.code).toBe('ERR_ENVELOPE_MALFORMED');
    // Without the flag and without a scheme the bytes are no origin at all.
    const bare = await rejection(open(sealByHand(onlinePayload({ origin: ascii('auth.example.org'), originFlag: 0 }))));
    expect(bare.code).toBe('ERR_ENVELOPE_MALFORMED');
  });

  it("the SDK's own encoder elides: its origin length byte has bit 7 set", async () => {
    const payload = createActivationPayload({ issuer: 'Acme Corporation', origin: 'https://auth.example.org', random: seededRandom('spec-origin') });
    const { text } = await sealEnvelope({
      payload,
      password: PASSWORD,
      kdf: { algorithm: 'scrypt', log2N: 17, r: 1, p: 1 },
      now: () => T0,
      random: seededRandom('spec-seal'),
    });
    // Decode and decrypt by hand, then find the origin byte at the end of the payload.
    const chars = text.slice('CMFA:'.length);
    const bytes: number[] = [];
    for (let i = 0; i < chars.length; i += 3) {
      const [a, b, c] = [...chars.slice(i, i + 3)].map((ch) => BASE45.indexOf(ch)) as [number, number, number?];
      const n = a + b * 45 + (c ?? 0) * 2025;
      if (c === undefined) bytes.push(n);
      else bytes.push(n >> 8, n & 0xff);
    }
    const envelope = Uint8Array.from(bytes);
    const header = envelope.subarray(0, 27);
    const key = scrypt(new TextEncoder().encode(normalizePassword(PASSWORD)), header.subarray(5, 21), { N: 2 ** 17, r: 1, p: 1, dkLen: 32 });
    const plain = xchacha20poly1305(key, new Uint8Array(24), header).decrypt(envelope.subarray(27));
    const tail = new TextDecoder().decode(plain.subarray(plain.length - 'auth.example.org'.length));
    expect(tail).toBe('auth.example.org');
    expect(plain[plain.length - 'auth.example.org'.length - 1]).toBe(0x80 | 'auth.example.org'.length);
  });
});

// ---- 3.1 minPinLength -----------------------------------------------------------------------

describe('spec 3.1: minPinLength is checked (4..16) whether or not a PIN is required', () => {
  const origin = { origin: ascii('auth.example.org'), originFlag: 0x80 as const };

  it.each([false, true])('pinRequired %s: 4 and 16 open, 0, 3 and 17 are ERR_ENVELOPE_MALFORMED', async (pinRequired) => {
    for (const minPinLength of [4, 16]) {
      const opened = await open(sealByHand(onlinePayload({ ...origin, pinRequired, minPinLength })));
      expect(opened.payload.policy).toEqual({ pinRequired, minPinLength, biometricsAllowed: true });
    }
    for (const minPinLength of [0, 3, 17]) {
      expect((await rejection(open(sealByHand(onlinePayload({ ...origin, pinRequired, minPinLength }))))).code, String(minPinLength)).toBe('ERR_ENVELOPE_MALFORMED');
    }
  });

  it('sealing refuses the same policies: no PIN required does not exempt minPinLength', () => {
    let err: unknown;
    try {
      createActivationPayload({ issuer: 'Acme', origin: 'https://auth.example.org', policy: { pinRequired: false, minPinLength: 3, biometricsAllowed: true }, random: seededRandom('p') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CloudMfaError);
    expect((err as CloudMfaError).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

// ---- 6 password normalisation: the steps and their order -------------------------------------

describe('spec 6: normalizePassword removes separators, then upper-cases ASCII, then reads O/I/L as 0/1', () => {
  it('upper-cases before the Crockford substitutions, so lower-case o, i and l are read as 0, 1 and 1', () => {
    expect(normalizePassword('o')).toBe('0');
    expect(normalizePassword('i')).toBe('1');
    expect(normalizePassword('l')).toBe('1');
    expect(normalizePassword('so1l')).toBe('S011');
    // The other order (substitute, then upper-case) would give 'O', 'I', 'L', 'SO1L'.
  });

  it('upper-cases ASCII letters only: no Unicode case mapping turns ı or ſ into I or S', () => {
    expect('ı'.toUpperCase()).toBe('I'); // what a Unicode upper-casing would do, then I -> 1
    expect(normalizePassword('ı')).toBe('ı');
    expect(normalizePassword('ſ')).toBe('ſ');
    expect(normalizePassword('ǆ')).toBe('ǆ');
  });

  it('removes exactly the listed separators, each wherever it stands', () => {
    const separators = '\t\n\u000b\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff-_\u2010\u2011\u2012\u2013\u2014\u2015\u2212';
    for (const sep of separators) expect(normalizePassword(`a${sep}b`), sep.codePointAt(0)!.toString(16)).toBe('AB');
    // Not in the list, so kept: zero-width space, Mongolian vowel separator, U+2016 (after the
    // dashes), the two-em dash U+2E3A.
    for (const kept of ['\u200b', '\u180e', '\u2016', '\u2e3a']) expect(normalizePassword(`a${kept}b`)).toBe(`A${kept}B`);
  });

  it('a password typed in lower case with other separators opens an envelope sealed by hand', async () => {
    const text = sealByHand(onlinePayload({ origin: ascii('auth.example.org'), originFlag: 0x80 }), 'K7Q2-M9XD-4HRP');
    expect((await open(text, 'k7q2\u2013m9xd 4hrp')).payload).toMatchObject({ origin: 'https://auth.example.org' });
    expect((await rejection(open(text, 'K7Q2-M9XD-4HRQ'))).code).toBe('ERR_ENVELOPE_DECRYPT');
  });
});
