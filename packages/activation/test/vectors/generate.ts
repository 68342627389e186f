// Generates envelopes.json. Run once (`npx tsx packages/activation/test/vectors/generate.ts`)
// and commit the output: the file is then FROZEN. The tests open every vector and re-seal it
// byte for byte, so any change to the v1 wire format fails them. Do not regenerate to make a
// test pass; a new format is a new version with new vectors.
//
// History: generated first for the draft v1 format, and regenerated ONCE, before any release,
// when the product owner revised v1 so the full-length online envelope fits QR 10-M (the
// account left the online payload, the nonce left the wire, the header went from 54 to 27
// bytes; docs/protocol/activation.md section 4). Frozen from that regeneration on.
import { writeFileSync } from 'node:fs';
import { encodeBase32, pureJsCryptoProvider } from '@cloudmfa/core';
import { generatePassword } from '../../src/generatePassword.js';
import { sealWithParameters } from '../../src/internal/seal.js';
import { normalizePassword } from '../../src/normalizePassword.js';
import { sealEnvelope } from '../../src/sealEnvelope.js';
import type { ActivationPayload, KdfParameters } from '../../src/types.js';
import { seededRandom, T0 } from '../helpers.js';

interface Spec {
  name: string;
  description: string;
  payload: ActivationPayload;
  kdf: KdfParameters;
  /** true: through the public sealEnvelope; false: the internal sealer (below the sealing floor). */
  public: boolean;
  ttlSeconds: number;
}

const specs: Spec[] = [
  {
    name: 'online-scrypt-default',
    description: 'Online envelope at the default KDF cost (scrypt N=2^15, r=8, p=1), https origin elided.',
    public: true,
    ttlSeconds: 300,
    kdf: { algorithm: 'scrypt', log2N: 15, r: 8, p: 1 },
    payload: {
      mode: 'online',
      activationId: 'AAECAwQFBgcICQoLDA0ODw',
      activationSecret: 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8',
      issuer: 'Acme Corporation',
      origin: 'https://mfa.example.com',
      policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
      otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
    },
  },
  {
    name: 'online-scrypt-cheap',
    description: 'Online envelope with a cheap but real scrypt (N=2^10, r=8, p=1; below the sealing floor, so sealed by the internal sealer), UTF-8 issuer, loopback http origin (not elided), SHA256/8 digits/60 s.',
    public: false,
    ttlSeconds: 600,
    kdf: { algorithm: 'scrypt', log2N: 10, r: 8, p: 1 },
    payload: {
      mode: 'online',
      activationId: '8PHy8_T19vf4-fr7_P3-_w',
      activationSecret: 'QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8',
      issuer: 'Société Générale Øst ✓',
      origin: 'http://127.0.0.1:8787',
      policy: { pinRequired: false, minPinLength: 4, biometricsAllowed: false },
      otp: { type: 'totp', algorithm: 'SHA256', digits: 8, period: 60 },
    },
  },
  {
    name: 'online-full-length',
    description:
      'Online envelope at the full length the issue names: a 32-character ASCII issuer and a 64-character https origin with a port (56 bytes after elision); QR version 10-M. Cheap scrypt (N=2^10, r=8, p=1; internal sealer), 18 h lifetime (the u16 maximum).',
    public: false,
    ttlSeconds: 65_535,
    kdf: { algorithm: 'scrypt', log2N: 10, r: 8, p: 1 },
    payload: {
      mode: 'online',
      activationId: 'EBESExQVFhcYGRobHB0eHw',
      activationSecret: 'YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn8',
      issuer: 'Worldwide Logistics & Co. (EMEA)',
      origin: 'https://authentication.eu-west-1.worldwide-logistic.example:8443',
      policy: { pinRequired: true, minPinLength: 16, biometricsAllowed: true },
      otp: { type: 'totp', algorithm: 'SHA512', digits: 10, period: 3600 },
    },
  },
  {
    name: 'offline-totp-pbkdf2',
    description: 'Offline TOTP envelope (SHA512, 8 digits, 30 s, 64-byte seed) with PBKDF2-HMAC-SHA256 at 100 000 iterations (the sealing floor).',
    public: true,
    ttlSeconds: 300,
    kdf: { algorithm: 'pbkdf2-sha256', iterations: 100_000 },
    payload: {
      mode: 'offline',
      // 64 bytes 0x01, 0x04, 0x07, ... (i * 3 + 1).
      secret: encodeBase32(Uint8Array.from({ length: 64 }, (_, i) => i * 3 + 1)),
      issuer: 'Example',
      account: 'alice@example.com',
      policy: { pinRequired: true, minPinLength: 8, biometricsAllowed: false },
      otp: { type: 'totp', algorithm: 'SHA512', digits: 8, period: 30 },
    },
  },
  {
    name: 'offline-hotp-scrypt-cheap',
    description: 'Offline HOTP envelope (SHA1, 6 digits, counter 2^40+5, no issuer) with scrypt N=2^10, r=8, p=1 (internal sealer).',
    public: false,
    ttlSeconds: 120,
    kdf: { algorithm: 'scrypt', log2N: 10, r: 8, p: 1 },
    payload: {
      mode: 'offline',
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: '',
      account: 'bob',
      policy: { pinRequired: false, minPinLength: 6, biometricsAllowed: true },
      otp: { type: 'hotp', algorithm: 'SHA1', digits: 6, counter: 2 ** 40 + 5 },
    },
  },
];

const vectors = [];
for (const spec of specs) {
  const random = seededRandom(spec.name);
  const password = generatePassword({ random });
  let text: string;
  if (spec.public) {
    const kdf = spec.kdf.algorithm === 'scrypt' ? { ...spec.kdf } : { ...spec.kdf };
    ({ text } = await sealEnvelope({ payload: spec.payload, password, ttlSeconds: spec.ttlSeconds, kdf, now: () => T0, random }));
  } else {
    ({ text } = await sealWithParameters({
      payload: spec.payload,
      normalizedPassword: normalizePassword(password),
      kdf: spec.kdf,
      issuedAtSeconds: T0 / 1000,
      lifetimeSeconds: spec.ttlSeconds,
      random,
      crypto: pureJsCryptoProvider,
    }));
  }
  vectors.push({
    name: spec.name,
    description: spec.description,
    sealedWith: spec.public ? 'sealEnvelope' : 'internal sealWithParameters',
    random: `seededRandom(${JSON.stringify(spec.name)}): 12 bytes for the password, then the 16-byte salt (no nonce: it is all zeros)`,
    password,
    typed: password.toLowerCase().replace(/-/g, ' '),
    now: T0,
    ttlSeconds: spec.ttlSeconds,
    kdf: spec.kdf,
    text,
    payload: spec.payload,
  });
}

const file = {
  source:
    'Generated by packages/activation/test/vectors/generate.ts with the SHA-256 counter stream seededRandom() of test/helpers.ts; regenerated once, before any release, for the revised v1 format (no account in the online payload, all-zero nonce, 27-byte scrypt header), and frozen since. Protocol: docs/protocol/activation.md (envelope v1). Regenerating is a wire-format change.',
  vectors,
};
writeFileSync(new URL('./envelopes.json', import.meta.url), `${JSON.stringify(file, null, 2)}\n`);
console.log(vectors.map((v) => `${v.name}: ${v.text.length} chars`).join('\n'));
