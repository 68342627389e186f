// The sealing core with no policy checks: the public `sealEnvelope` validates its input and
// enforces the KDF floors first. The only random draw is the 16-byte salt (the nonce is the
// constant of spec 2.2), so a deterministic random source gives a reproducible envelope (the
// frozen vectors rely on it).
import { CloudMfaError, type CryptoProvider, decodeBase32, decodeBase64Url, encodeBase45, type RandomSource, utf8Encode } from '@cloudmfa/core';
import type { ActivationPayload, EnvelopeHeader, KdfParameters } from '../types.js';
import { envelopeSeal } from './aead.js';
import { ByteWriter } from './binary.js';
import { ENVELOPE_VERSION, KDF_PBKDF2_SHA256, KDF_SCRYPT, MAX_TTL_SECONDS, MODE_OFFLINE, MODE_ONLINE, SALT_LENGTH, TEXT_PREFIX } from './constants.js';
import type { HeaderFields } from './envelopeCodec.js';
import { deriveEnvelopeKey } from './kdf.js';
import { HTTPS, writeOtpByte, writePolicy } from './payloadCodec.js';
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

// The encoders (server side only: the phone decodes, in envelopeCodec.ts and payloadCodec.ts).

/** Encodes a payload that already passed `payloadSchema`. */
export function encodePayload(payload: ActivationPayload): Uint8Array {
  const w = new ByteWriter();
  if (payload.mode === 'online') {
    w.bytes(decodeBase64Url(payload.activationId)).bytes(decodeBase64Url(payload.activationSecret));
    writePolicy(w, payload.policy);
    writeOtpByte(w, payload.otp);
    w.u16(payload.otp.period);
    // No account in the online payload (spec 3.1): the server returns it at redemption.
    w.lp8(utf8Encode(payload.issuer));
    const elided = payload.origin.startsWith(HTTPS);
    const origin = utf8Encode(elided ? payload.origin.slice(HTTPS.length) : payload.origin);
    w.u8((elided ? 0x80 : 0) | origin.length).bytes(origin);
  } else {
    writeOtpByte(w, payload.otp);
    if (payload.otp.type === 'totp') w.u16(payload.otp.period);
    else w.u64(payload.otp.counter);
    w.lp8(decodeBase32(payload.secret));
    w.lp8(utf8Encode(payload.issuer)).lp8(utf8Encode(payload.account));
    writePolicy(w, payload.policy);
  }
  return w.finish();
}


/** The header, every byte of which is the AEAD's associated data (spec section 2). */
export function encodeHeader(f: HeaderFields): Uint8Array {
  const w = new ByteWriter().u8((ENVELOPE_VERSION << 4) | (f.mode === 'online' ? MODE_ONLINE : MODE_OFFLINE));
  if (f.kdf.algorithm === 'scrypt') w.u8(KDF_SCRYPT).u8(f.kdf.log2N).u8(f.kdf.r).u8(f.kdf.p);
  else w.u8(KDF_PBKDF2_SHA256).u32(f.kdf.iterations);
  return w.bytes(f.salt).u32(f.issuedAtSeconds).u16(f.lifetimeSeconds).finish();
}

function envelopeText(bytes: Uint8Array): string {
  return TEXT_PREFIX + encodeBase45(bytes);
}
