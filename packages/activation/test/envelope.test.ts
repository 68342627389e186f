import { scrypt as nodeScrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type ActivationPayload,
  DEFAULT_ENVELOPE_LIMITS,
  ENVELOPE_TEXT_PREFIX,
  type KdfParameters,
  openEnvelope,
  readEnvelopeHeader,
} from '@cloudmfa/activation';
import { createActivationPayload, sealEnvelope } from '@cloudmfa/activation/server';
import { CloudMfaError, decodeBase45, encodeBase45, pureJsCryptoProvider } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { deriveEnvelopeKey } from '../src/internal/kdf.js';
import { decodePayload } from '../src/internal/payloadCodec.js';
import { sealWithParameters } from '../src/internal/seal.js';
import { cheapEnvelope } from './fixtures.js';
import { normalizePassword } from '../src/normalizePassword.js';
import { errorSurface, rejection, seededRandom, T0, thrown } from './helpers.js';
import vectorFile from './vectors/envelopes.json' with { type: 'json' };

const vectors = vectorFile.vectors as unknown as Array<{
  name: string;
  sealedWith: string;
  password: string;
  typed: string;
  now: number;
  ttlSeconds: number;
  kdf: KdfParameters;
  text: string;
  payload: ActivationPayload;
}>;
const byName = (name: string) => vectors.find((v) => v.name === name)!;

const online = createActivationPayload({
  issuer: 'Acme Corporation',
  origin: 'https://mfa.example.com',
  random: seededRandom('online'),
});

const withBytes = (text: string, edit: (b: Uint8Array) => Uint8Array) =>
  ENVELOPE_TEXT_PREFIX + encodeBase45(edit(decodeBase45(text.slice(ENVELOPE_TEXT_PREFIX.length))));

describe('frozen vectors', () => {
  for (const v of vectors) {
    it(`${v.name} opens to its payload, forever`, async () => {
      const opened = await openEnvelope({ text: v.text, password: v.typed, now: () => v.now });
      expect(opened.payload).toEqual(v.payload);
      expect(opened.header).toEqual({
        version: 1,
        mode: v.payload.mode,
        kdf: v.kdf,
        issuedAt: v.now,
        expiresAt: v.now + v.ttlSeconds * 1000,
      });
      expect(opened.preview).not.toHaveProperty('activationSecret');
      expect(opened.preview).not.toHaveProperty('secret');
    });

    it(`${v.name} re-seals byte for byte (the v1 wire format has not moved)`, async () => {
      const random = seededRandom(v.name);
      random(12); // the generator drew the password first
      const { text } = await sealWithParameters({
        payload: v.payload,
        normalizedPassword: normalizePassword(v.password),
        kdf: v.kdf,
        issuedAtSeconds: v.now / 1000,
        lifetimeSeconds: v.ttlSeconds,
        random,
        crypto: pureJsCryptoProvider,
      });
      expect(text).toBe(v.text);
    });
  }

  it('the default-cost vector was sealed by the public API with the protocol defaults', async () => {
    const v = byName('online-scrypt-default');
    expect(v.sealedWith).toBe('sealEnvelope');
    const random = seededRandom(v.name);
    random(12);
    const sealed = await sealEnvelope({ payload: v.payload, password: v.password, now: () => v.now, random });
    expect(sealed.text).toBe(v.text);
    expect(sealed.kdf).toEqual({ algorithm: 'scrypt', log2N: 15, r: 8, p: 1 });
    expect(sealed.expiresAt - sealed.issuedAt).toBe(300_000);
  });

  it('the header layout matches the spec byte for byte', () => {
    const v = byName('online-scrypt-default');
    const bytes = decodeBase45(v.text.slice(5));
    const random = seededRandom(v.name);
    random(12);
    const salt = random(16);
    // Version 1 in the high nibble and online (1) in the low one; scrypt (1), log2N 15, r 8, p 1.
    expect([...bytes.slice(0, 5)]).toEqual([0x11, 1, 15, 8, 1]);
    expect(bytes.slice(5, 21)).toEqual(salt);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(21)).toBe(T0 / 1000);
    expect(view.getUint16(25)).toBe(300);
    // 27-byte header + 16-byte tag + 55 fixed payload bytes + 16 (issuer) + 15 (origin) text bytes.
    expect(bytes.length).toBe(27 + 16 + 55 + 16 + 15);
  });

  it('the spec quotes the default vector and its header bytes exactly (docs/protocol/activation.md section 9)', () => {
    const spec = readFileSync(new URL('../../../docs/protocol/activation.md', import.meta.url), 'utf8');
    const v = byName('online-scrypt-default');
    expect(spec).toContain(`\n${v.text}\n`);
    expect(spec).toContain(`password \`${v.password}\``);
    const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const bytes = decodeBase45(v.text.slice(5));
    expect(spec).toContain(`\`${hex(bytes.slice(0, 5))}\``);
    expect(spec).toContain(`salt \`${hex(bytes.slice(5, 21))}\``);
    expect(spec).toContain(`\`${hex(bytes.slice(21, 25))}\` (issuedAt ${T0 / 1000})`);
    expect(spec).toContain(`\`${hex(bytes.slice(25, 27))}\` (lifetime 300 s`);
  });

  it('the nonce is 24 zero bytes (spec 2.2): the default vector decrypts with it and its key', async () => {
    const v = byName('online-scrypt-default');
    const bytes = decodeBase45(v.text.slice(5));
    const header = bytes.slice(0, 27);
    const key = await deriveEnvelopeKey(pureJsCryptoProvider, v.kdf, normalizePassword(v.password), bytes.slice(5, 21));
    const plaintext = xchacha20poly1305(key, new Uint8Array(24), header).decrypt(bytes.slice(27));
    expect(decodePayload('online', plaintext)).toEqual(v.payload);
    // And a different nonce does not.
    const nonce = new Uint8Array(24);
    nonce[23] = 1;
    expect(() => xchacha20poly1305(key, nonce, header).decrypt(bytes.slice(27))).toThrow();
  });

  it('the PBKDF2 header is 28 bytes (a u32 iteration count) and the offline vectors carry their account', () => {
    const v = byName('offline-totp-pbkdf2');
    const bytes = decodeBase45(v.text.slice(5));
    expect([...bytes.slice(0, 2)]).toEqual([0x12, 2]);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(2)).toBe(100_000);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(26)).toBe(300);
    expect(v.payload).toHaveProperty('account', 'alice@example.com');
  });
});

describe('seal and open', () => {
  it('round-trips an online payload and shows a preview without secrets', async () => {
    const { text } = await cheapEnvelope(online);
    expect(text.startsWith('CMFA:')).toBe(true);
    const opened = await openEnvelope({ text, password: 'abcd efgh jkmn', now: () => T0 });
    expect(opened.payload).toEqual(online);
    // No account in an online preview: the envelope does not carry one (spec 3.1).
    expect(opened.preview).toEqual({
      mode: 'online',
      issuer: 'Acme Corporation',
      origin: 'https://mfa.example.com',
      policy: { pinRequired: false, minPinLength: 6, biometricsAllowed: true },
      otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
      issuedAt: T0,
      expiresAt: T0 + 300_000,
    });
  });

  it('seals through the public API with PBKDF2 and a caller-chosen password', async () => {
    const sealed = await sealEnvelope({
      payload: online,
      password: 'correct horse battery',
      kdf: { algorithm: 'pbkdf2-sha256', iterations: 100_000 },
      ttlSeconds: 60,
      now: () => T0,
      random: seededRandom('pbkdf2'),
    });
    expect(readEnvelopeHeader({ text: sealed.text })).toEqual({
      version: 1,
      mode: 'online',
      kdf: { algorithm: 'pbkdf2-sha256', iterations: 100_000 },
      issuedAt: T0,
      expiresAt: T0 + 60_000,
    });
    const opened = await openEnvelope({ text: sealed.text, password: 'CORRECT-HORSE-BATTERY', now: () => T0 });
    expect(opened.payload).toEqual(online);
  });

  it('runs the KDF through the CryptoProvider seam: native scrypt gives the same key', async () => {
    let calls = 0;
    const native = createCryptoProvider({
      name: 'node-scrypt',
      scrypt: (password, salt, { N, r, p, dkLen }) =>
        new Promise((resolve, reject) => {
          calls++;
          nodeScrypt(password, salt, dkLen, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key))));
        }),
    });
    const v = byName('online-scrypt-default');
    const opened = await openEnvelope({ text: v.text, password: v.password, now: () => v.now, crypto: native });
    expect(opened.payload).toEqual(v.payload);
    expect(calls).toBe(1);
  });

  it('the default pure-JS KDF yields to the event loop while it runs', async () => {
    const v = byName('online-scrypt-default');
    let ticks = 0;
    let done = false;
    const tick = () => {
      ticks++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    await openEnvelope({ text: v.text, password: v.password, now: () => v.now });
    done = true;
    // noble's scryptAsync hands control back about every 10 ms of work.
    expect(ticks).toBeGreaterThan(3);
  });

  it('a failing provider gives ERR_ENVELOPE_KDF_FAILED with no cause', async () => {
    const { text } = await cheapEnvelope(online);
    const broken = createCryptoProvider({
      scrypt: async (password) => {
        throw new Error(`native failure for ${String(password)}`);
      },
    });
    const err = await rejection(openEnvelope({ text, password: 'ABCD-EFGH-JKMN', now: () => T0, crypto: broken }));
    expect(err.code).toBe('ERR_ENVELOPE_KDF_FAILED');
    expect(err.cause).toBeUndefined();
  });
});

describe('rejections, each with its own code', () => {
  it('wrong password: ERR_ENVELOPE_DECRYPT with the one fixed message', async () => {
    const { text } = await cheapEnvelope(online);
    const err = await rejection(openEnvelope({ text, password: 'ABCD-EFGH-JKMP', now: () => T0 }));
    expect(err.code).toBe('ERR_ENVELOPE_DECRYPT');
    const tampered = withBytes(text, (b) => {
      b[b.length - 1] = (b[b.length - 1] as number) ^ 1;
      return b;
    });
    const err2 = await rejection(openEnvelope({ text: tampered, password: 'ABCD-EFGH-JKMN', now: () => T0 }));
    expect(err2.code).toBe('ERR_ENVELOPE_DECRYPT');
    expect(err2.message).toBe(err.message);
  });

  it('an absurdly long password fails like a wrong one, without running the KDF', async () => {
    const { text } = await cheapEnvelope(online);
    let ran = false;
    const spy = createCryptoProvider({
      scrypt: async (...args) => {
        ran = true;
        return pureJsCryptoProvider.scrypt(...args);
      },
    });
    const err = await rejection(openEnvelope({ text, password: 'A'.repeat(10_000), now: () => T0, crypto: spy }));
    expect(err.code).toBe('ERR_ENVELOPE_DECRYPT');
    expect(ran).toBe(false);
  });

  it('expired: after expiresAt plus the skew allowance, checked before the KDF', async () => {
    const { text } = await cheapEnvelope(online);
    const expiry = T0 + 300_000;
    await expect(openEnvelope({ text, password: 'ABCD-EFGH-JKMN', now: () => expiry + 60_000 })).resolves.toBeTruthy();
    const err = await rejection(openEnvelope({ text, password: 'ABCD-EFGH-JKMN', now: () => expiry + 60_001 }));
    expect(err.code).toBe('ERR_ENVELOPE_EXPIRED');
    const strict = await rejection(openEnvelope({ text, password: 'wrong', now: () => expiry + 1, clockSkewSeconds: 0 }));
    expect(strict.code).toBe('ERR_ENVELOPE_EXPIRED');
  });

  it('truncated: every shorter prefix is rejected', async () => {
    const { text } = await cheapEnvelope(online);
    const bytes = decodeBase45(text.slice(5));
    const codes = new Set<string>();
    for (let n = 0; n < bytes.length; n++) {
      const err = await rejection(openEnvelope({ text: ENVELOPE_TEXT_PREFIX + encodeBase45(bytes.slice(0, n)), password: 'ABCD-EFGH-JKMN', now: () => T0 }));
      codes.add(err.code);
    }
    expect([...codes].sort()).toEqual(['ERR_ENVELOPE_DECRYPT', 'ERR_ENVELOPE_MALFORMED']);
    // Truncating the text itself (not the bytes) is rejected too.
    for (let n = 0; n < text.length; n++) {
      await rejection(openEnvelope({ text: text.slice(0, n), password: 'ABCD-EFGH-JKMN', now: () => T0 }));
    }
  });

  it('extended: appended bytes or characters are rejected', async () => {
    const { text } = await cheapEnvelope(online);
    for (const extra of [[0], [0, 0], [1, 2, 3, 4, 5, 6, 7, 8]]) {
      const err = await rejection(openEnvelope({ text: withBytes(text, (b) => Uint8Array.from([...b, ...extra])), password: 'ABCD-EFGH-JKMN', now: () => T0 }));
      expect(err.code).toBe('ERR_ENVELOPE_DECRYPT');
    }
    for (const suffix of ['0', '00', '000', '%%%']) {
      const err = await rejection(openEnvelope({ text: `${text}${suffix}`, password: 'ABCD-EFGH-JKMN', now: () => T0 }));
      expect(['ERR_ENVELOPE_MALFORMED', 'ERR_ENVELOPE_DECRYPT']).toContain(err.code);
    }
  });

  it('unknown version: ERR_ENVELOPE_VERSION, before anything else is parsed', async () => {
    const { text } = await cheapEnvelope(online);
    // The version is the high nibble of byte 0, whatever the low nibble holds.
    for (const byte0 of [0x01, 0x21, 0x22, 0xf1, 0xff, 0x00]) {
      const err = thrown(() => readEnvelopeHeader({ text: withBytes(text, (b) => ((b[0] = byte0), b)) }));
      expect(err.code).toBe('ERR_ENVELOPE_VERSION');
      const err2 = await rejection(openEnvelope({ text: withBytes(text, (b) => ((b[0] = byte0), b)), password: 'x', now: () => T0 }));
      expect(err2.code).toBe('ERR_ENVELOPE_VERSION');
    }
    expect(thrown(() => readEnvelopeHeader({ text: `${ENVELOPE_TEXT_PREFIX}${encodeBase45(Uint8Array.of(0x21))}` })).code).toBe('ERR_ENVELOPE_VERSION');
    // A known version with an unknown mode is malformed, not a version problem.
    expect(thrown(() => readEnvelopeHeader({ text: withBytes(text, (b) => ((b[0] = 0x1f), b)) })).code).toBe('ERR_ENVELOPE_MALFORMED');
  });

  it('over-cap KDF parameters: ERR_ENVELOPE_KDF_COST, and no KDF runs', async () => {
    const { text } = await cheapEnvelope(online);
    let ran = false;
    const spy = createCryptoProvider({
      scrypt: async () => {
        ran = true;
        return new Uint8Array(32);
      },
      pbkdf2Sha256: async () => {
        ran = true;
        return new Uint8Array(32);
      },
    });
    const cases: Array<[string, (b: Uint8Array) => void]> = [
      ['N = 2^20 (memory 1 GiB at r=8)', (b) => ((b[2] = 20), (b[3] = 8))],
      ['memory 128 MiB (N=2^17, r=8)', (b) => ((b[2] = 17), (b[3] = 8))],
      ['work N·r·p = 2^21 (N=2^15, r=8, p=8)', (b) => ((b[2] = 15), (b[3] = 8), (b[4] = 8))],
      ['r = 255 at N=2^15', (b) => ((b[2] = 15), (b[3] = 255))],
      ['log2N = 255', (b) => (b[2] = 255)],
    ];
    for (const [, edit] of cases) {
      const err = await rejection(openEnvelope({ text: withBytes(text, (b) => (edit(b), b)), password: 'ABCD-EFGH-JKMN', now: () => T0, crypto: spy }));
      expect(err.code).toBe('ERR_ENVELOPE_KDF_COST');
    }
    // PBKDF2: switch the KDF id and write 2 000 001 iterations (header grows by one byte).
    const pbkdf2Over = withBytes(text, (b) => {
      const out = new Uint8Array(b.length + 1);
      out[0] = b[0] as number;
      out[1] = 2;
      new DataView(out.buffer).setUint32(2, 2_000_001);
      out.set(b.slice(5), 6);
      return out;
    });
    expect((await rejection(openEnvelope({ text: pbkdf2Over, password: 'x', now: () => T0, crypto: spy }))).code).toBe('ERR_ENVELOPE_KDF_COST');
    expect(ran).toBe(false);
    // The default cost is under the default caps, and a caller can lower them.
    const v = byName('online-scrypt-default');
    const err = await rejection(openEnvelope({ text: v.text, password: v.password, now: () => v.now, limits: { scryptMaxMemoryBytes: 16 * 1024 * 1024 }, crypto: spy }));
    expect(err.code).toBe('ERR_ENVELOPE_KDF_COST');
    expect(DEFAULT_ENVELOPE_LIMITS.scryptMaxMemoryBytes).toBe(64 * 1024 * 1024);
  });

  it('non-alphanumeric text: ERR_ENVELOPE_MALFORMED', async () => {
    const { text } = await cheapEnvelope(online);
    const bad = [
      text.toLowerCase(),
      ` ${text}`.slice(0, text.length), // leading space shifts the prefix
      `${text}\n`,
      text.replace(/.$/, 'a'),
      text.replace(/.$/, '#'),
      text.replace(/.$/, 'é'),
      'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP',
      'CMFA:',
      'CMFA',
      '',
      'CMFA:A', // impossible base45 length
      'CMFA:ZZZ', // base45 group overflow
    ];
    for (const t of bad) {
      const err = await rejection(openEnvelope({ text: t, password: 'x', now: () => T0 }));
      expect(err.code, JSON.stringify(t)).toBe('ERR_ENVELOPE_MALFORMED');
    }
  });

  it('structurally impossible headers: ERR_ENVELOPE_MALFORMED', async () => {
    const { text } = await cheapEnvelope(online);
    const edits: Array<(b: Uint8Array) => void> = [
      (b) => (b[0] = 0x13), // unknown mode
      (b) => (b[0] = 0x10),
      (b) => (b[1] = 9), // unknown KDF
      (b) => (b[1] = 0),
      (b) => (b[2] = 0), // log2N 0
      (b) => (b[3] = 0), // r 0
      (b) => (b[4] = 0), // p 0
      (b) => new DataView(b.buffer, b.byteOffset).setUint16(25, 0), // lifetime 0 (expiresAt == issuedAt)
    ];
    for (const edit of edits) {
      const err = await rejection(openEnvelope({ text: withBytes(text, (b) => (edit(b), b)), password: 'x', now: () => T0 }));
      expect(err.code).toBe('ERR_ENVELOPE_MALFORMED');
    }
  });

  it('too large: ERR_ENVELOPE_TOO_LARGE before any parsing', async () => {
    const err = await rejection(openEnvelope({ text: `CMFA:${'0'.repeat(2000)}`, password: 'x', now: () => T0 }));
    expect(err.code).toBe('ERR_ENVELOPE_TOO_LARGE');
    expect(thrown(() => readEnvelopeHeader({ text: `CMFA:${'0'.repeat(1020)}` })).code).toBe('ERR_ENVELOPE_TOO_LARGE');
  });

  it('developer misuse: ERR_INVALID_ARGUMENT', async () => {
    expect((await rejection(openEnvelope({ text: 42 as unknown as string, password: 'x' }))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await rejection(openEnvelope({ text: 'CMFA:', password: undefined as unknown as string }))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await rejection(openEnvelope(undefined as never))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await rejection(openEnvelope({ text: 'CMFA:', password: 'x', limits: { maxTextLength: -1 } }))).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('sealing validates its input', () => {
  const base = { payload: online, password: 'ABCD-EFGH-JKMN', now: () => T0, random: seededRandom('seal') };
  const bad: Array<[string, Record<string, unknown>]> = [
    ['scrypt below the floor', { kdf: { algorithm: 'scrypt', log2N: 13, r: 8 } }],
    ['scrypt r below the floor', { kdf: { algorithm: 'scrypt', log2N: 15, r: 2 } }],
    ['scrypt above the decoder caps', { kdf: { algorithm: 'scrypt', log2N: 17, r: 8 } }],
    ['PBKDF2 below the floor', { kdf: { algorithm: 'pbkdf2-sha256', iterations: 99_999 } }],
    ['PBKDF2 above the caps', { kdf: { algorithm: 'pbkdf2-sha256', iterations: 3_000_000 } }],
    ['unknown KDF', { kdf: { algorithm: 'argon2id' } }],
    ['short password', { password: 'abc-def' }],
    ['non-ASCII password', { password: 'pässwörd-123' }],
    ['ttl 0', { ttlSeconds: 0 }],
    ['ttl over the u16 lifetime', { ttlSeconds: 65_536 }],
    ['ttl fractional', { ttlSeconds: 1.5 }],
    ['time past 2106', { now: () => 2 ** 32 * 1000 }],
    ['bad clock', { now: () => Number.NaN }],
  ];
  for (const [name, patch] of bad) {
    it(`refuses ${name}`, async () => {
      const err = await rejection(sealEnvelope({ ...base, ...patch } as never));
      expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    });
  }

  const badPayloads: Array<[string, Partial<Record<string, unknown>>, string]> = [
    ['http origin', { origin: 'http://mfa.example.com' }, 'payload.origin'],
    ['origin with a path', { origin: 'https://mfa.example.com/x' }, 'payload.origin'],
    ['uppercase origin', { origin: 'https://MFA.example.com' }, 'payload.origin'],
    ['port 0', { origin: 'https://mfa.example.com:0' }, 'payload.origin'],
    ['port 65536', { origin: 'https://mfa.example.com:65536' }, 'payload.origin'],
    ['issuer with a bidi override', { issuer: 'Acme\u202Egnp.exe' }, 'payload.issuer'],
    ['issuer with a newline', { issuer: 'Acme\nBank' }, 'payload.issuer'],
    ['issuer too long (65 UTF-8 bytes)', { issuer: `${'é'.repeat(32)}x` }, 'payload.issuer'],
    ['empty issuer online', { issuer: '' }, 'payload.issuer'],
    ['lone surrogate', { issuer: 'a\uD800b' }, 'payload.issuer'],
    ['an account (not part of the online payload)', { account: 'jane@example.com' }, 'payload'],
    ['short activation id', { activationId: 'AAECAwQFBgcICQoLDA0O' }, 'payload.activationId'],
    ['digits 5', { otp: { type: 'totp', algorithm: 'SHA1', digits: 5, period: 30 } }, 'payload.otp.digits'],
    ['hotp online', { otp: { type: 'hotp', algorithm: 'SHA1', digits: 6, counter: 0 } }, 'payload.otp.type'],
    ['min PIN 3', { policy: { pinRequired: true, minPinLength: 3, biometricsAllowed: true } }, 'payload.policy.minPinLength'],
    ['unknown field', { extra: 1 }, 'payload'],
  ];
  for (const [name, patch, field] of badPayloads) {
    it(`refuses a payload with ${name}, naming the field`, async () => {
      const err = await rejection(sealEnvelope({ ...base, payload: { ...online, ...patch } as never }));
      expect(err.code).toBe('ERR_INVALID_ARGUMENT');
      expect(err.message.startsWith(`"${field}`)).toBe(true);
    });
  }

  it('accepts the longest lifetime the u16 field holds, and reports the expiry it implies', async () => {
    const sealed = await sealEnvelope({ ...base, ttlSeconds: 65_535, kdf: { algorithm: 'pbkdf2-sha256', iterations: 100_000 } });
    expect(sealed.expiresAt - sealed.issuedAt).toBe(65_535_000);
    expect(readEnvelopeHeader({ text: sealed.text }).expiresAt).toBe(T0 + 65_535_000);
    const opened = await openEnvelope({ text: sealed.text, password: base.password, now: () => T0 + 65_535_000 });
    expect(opened.payload).toEqual(online);
  });

  it('createActivationPayload refuses an account (it is not part of the online payload)', () => {
    const err = thrown(() => createActivationPayload({ issuer: 'Acme', origin: 'https://mfa.acme.test', account: 'jane@acme.test' } as never));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.message.startsWith('"options.account"')).toBe(true);
    expect(err.message).not.toContain('jane');
  });

  it('accepts loopback http origins for development', async () => {
    for (const origin of ['http://localhost:8080', 'http://127.0.0.1', 'http://[::1]:3000']) {
      const { text } = await cheapEnvelope({ ...online, origin });
      expect((await openEnvelope({ text, password: 'ABCD-EFGH-JKMN', now: () => T0 })).preview).toMatchObject({ origin });
    }
  });
});

describe('no secret in any error', () => {
  it('messages, stacks and causes never carry the password or payload fields', async () => {
    const secretPassword = 'SECRETPW-9999';
    const payload = { ...online, issuer: 'IssuerSentinel' };
    const offline: ActivationPayload = {
      mode: 'offline',
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: 'IssuerSentinel',
      account: 'account-sentinel@x.test',
      policy: { pinRequired: false, minPinLength: 6, biometricsAllowed: true },
      otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
    };
    const { text } = await cheapEnvelope(payload, secretPassword);
    const { text: offlineText } = await cheapEnvelope(offline, secretPassword);
    const errors: unknown[] = [];
    const collect = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        errors.push(err);
      }
    };
    await collect(openEnvelope({ text, password: 'SECRETPW-9998', now: () => T0 }));
    await collect(openEnvelope({ text, password: secretPassword, now: () => T0 + 10 ** 9 }));
    await collect(openEnvelope({ text: text.slice(0, -3), password: secretPassword, now: () => T0 }));
    await collect(sealEnvelope({ payload: { ...payload, origin: 'ftp://IssuerSentinel' }, password: secretPassword }));
    await collect(sealEnvelope({ payload, password: 'Qz7x' }));
    await collect(sealEnvelope({ payload: { ...payload, activationSecret: 'not base64url!' }, password: secretPassword }));
    await collect(sealEnvelope({ payload: { ...payload, account: 'account-sentinel@x.test' } as never, password: secretPassword }));
    await collect(openEnvelope({ text: offlineText, password: 'SECRETPW-9998', now: () => T0 }));
    await collect(sealEnvelope({ payload: { ...offline, account: 'account-sentinel\u202E@x.test' }, password: secretPassword }));
    expect(errors).toHaveLength(9);
    for (const err of errors) {
      expect(err).toBeInstanceOf(CloudMfaError);
      const surface = errorSurface(err);
      for (const secret of [secretPassword, 'SECRETPW', 'Qz7x', 'IssuerSentinel', 'account-sentinel', online.activationSecret, 'not base64url']) {
        expect(surface).not.toContain(secret);
      }
    }
  });
});
