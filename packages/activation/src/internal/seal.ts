// The sealing core with no policy checks: the public `sealEnvelope` validates its input and
// enforces the KDF floors first. The only random draw is the 16-byte salt (the nonce is the
// constant of spec 2.2), so a deterministic random source gives a reproducible envelope (the
// frozen vectors rely on it).
import { CloudMfaError, type CryptoProvider, type RandomSource } from '@cloudmfa/core';
import type { ActivationPayload, EnvelopeHeader, KdfParameters } from '../types.js';
import { envelopeSeal } from './aead.js';
import { ENVELOPE_VERSION, MAX_TTL_SECONDS, SALT_LENGTH } from './constants.js';
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
  /** u32 seconds. */
  issuedAtSeconds: number;
  /** 1..65535 seconds. */
  lifetimeSeconds: number;
  random: RandomSource;
  crypto: CryptoProvider;
}

export async function sealWithParameters(input: SealInput): Promise<{ text: string; header: EnvelopeHeader }> {
  const { payload, kdf, issuedAtSeconds, lifetimeSeconds } = input;
  // The wire fields are u32 and u16: refuse what they cannot hold rather than wrap it.
  if (!Number.isSafeInteger(issuedAtSeconds) || issuedAtSeconds < 0 || issuedAtSeconds > 0xffffffff) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"issuedAtSeconds" expected a u32');
  }
  if (!Number.isSafeInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > MAX_TTL_SECONDS) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"lifetimeSeconds" expected an integer in [1, ${MAX_TTL_SECONDS}]`);
  }
  const salt = randomBytes(input.random, SALT_LENGTH);
  const headerBytes = encodeHeader({ mode: payload.mode, kdf, salt, issuedAtSeconds, lifetimeSeconds });
  const key = await deriveEnvelopeKey(input.crypto, kdf, input.normalizedPassword, salt);
  const plaintext = encodePayload(payload);
  const sealed = envelopeSeal(key, headerBytes, plaintext);
  key.fill(0);
  plaintext.fill(0);
  const bytes = new Uint8Array(headerBytes.length + sealed.length);
  bytes.set(headerBytes, 0);
  bytes.set(sealed, headerBytes.length);
  return {
    text: envelopeText(bytes),
    header: {
      version: ENVELOPE_VERSION,
      mode: payload.mode,
      kdf,
      issuedAt: issuedAtSeconds * 1000,
      expiresAt: (issuedAtSeconds + lifetimeSeconds) * 1000,
    },
  };
}
