// The sealing core with no policy checks: the public `sealEnvelope` validates its input and
// enforces the KDF floors first. Random bytes are drawn salt first, then nonce, so a
// deterministic random source gives a reproducible envelope (the frozen vectors rely on it).
import type { CryptoProvider, RandomSource } from '@cloudmfa/core';
import type { ActivationPayload, EnvelopeHeader, KdfParameters } from '../types.js';
import { aeadSeal } from './aead.js';
import { ENVELOPE_VERSION, NONCE_LENGTH, SALT_LENGTH } from './constants.js';
import { encodeHeader, envelopeText } from './envelopeCodec.js';
import { deriveEnvelopeKey } from './kdf.js';
import { encodePayload } from './payloadCodec.js';
import { randomBytes } from './validate.js';

export interface SealInput {
  /** Already validated against `payloadSchema`. */
  payload: ActivationPayload;
  /** Already normalised. */
  normalizedPassword: string;
  kdf: KdfParameters;
  issuedAtSeconds: number;
  expiresAtSeconds: number;
  random: RandomSource;
  crypto: CryptoProvider;
}

export async function sealWithParameters(input: SealInput): Promise<{ text: string; header: EnvelopeHeader }> {
  const { payload, kdf, issuedAtSeconds, expiresAtSeconds } = input;
  const salt = randomBytes(input.random, SALT_LENGTH);
  const nonce = randomBytes(input.random, NONCE_LENGTH);
  const headerBytes = encodeHeader({ mode: payload.mode, kdf, salt, nonce, issuedAtSeconds, expiresAtSeconds });
  const key = await deriveEnvelopeKey(input.crypto, kdf, input.normalizedPassword, salt);
  const plaintext = encodePayload(payload);
  const sealed = aeadSeal(key, nonce, headerBytes, plaintext);
  key.fill(0);
  plaintext.fill(0);
  const bytes = new Uint8Array(headerBytes.length + sealed.length);
  bytes.set(headerBytes, 0);
  bytes.set(sealed, headerBytes.length);
  return {
    text: envelopeText(bytes),
    header: { version: ENVELOPE_VERSION, mode: payload.mode, kdf, issuedAt: issuedAtSeconds * 1000, expiresAt: expiresAtSeconds * 1000 },
  };
}
