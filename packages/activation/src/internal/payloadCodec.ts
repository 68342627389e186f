// Binary encoding of the envelope payloads (docs/protocol/activation.md section 3). Encoding
// (server side, in seal.ts) takes an already-validated payload; decoding is strict (exact lengths, reserved bits zero,
// no trailing bytes, strict UTF-8) and then runs the same schema as sealing.
import { CloudMfaError, encodeBase32, encodeBase64Url, utf8Decode } from '@cloudmfa/core';
import type { OtpAlgorithm } from '@cloudmfa/otp';
import type {
  ActivationPayload,
  ActivationPolicy,
  HotpParameters,
  OfflineActivationPayload,
  OnlineActivationPayload,
  TotpParameters,
} from '../types.js';
import { ByteReader, type ByteWriter } from './binary.js';
import { ACTIVATION_ID_LENGTH, ACTIVATION_SECRET_LENGTH } from './constants.js';
import { payloadSchema } from './schemas.js';

const ALGORITHMS: readonly OtpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
export const HTTPS = 'https://';

const malformed = (): never => {
  throw new CloudMfaError('ERR_ENVELOPE_MALFORMED', 'envelope payload is malformed');
};

export function writePolicy(w: ByteWriter, policy: ActivationPolicy): void {
  w.u8((policy.pinRequired ? 1 : 0) | (policy.biometricsAllowed ? 2 : 0)).u8(policy.minPinLength);
}

export function writeOtpByte(w: ByteWriter, otp: TotpParameters | HotpParameters): void {
  w.u8((otp.type === 'hotp' ? 0x40 : 0) | (ALGORITHMS.indexOf(otp.algorithm) << 4) | otp.digits);
}

function readPolicy(r: ByteReader): ActivationPolicy {
  const flags = r.u8();
  if (flags & ~3) malformed();
  return { pinRequired: (flags & 1) !== 0, minPinLength: r.u8(), biometricsAllowed: (flags & 2) !== 0 };
}

function readOtpByte(r: ByteReader, allowHotp: boolean): { type: 'totp' | 'hotp'; algorithm: OtpAlgorithm; digits: number } {
  const b = r.u8();
  if (b & 0x80 || (!allowHotp && b & 0x40)) malformed();
  const algorithm = ALGORITHMS[(b >> 4) & 3];
  if (!algorithm) return malformed();
  return { type: b & 0x40 ? 'hotp' : 'totp', algorithm, digits: b & 0x0f };
}

function readText(r: ByteReader): string {
  try {
    return utf8Decode(r.lp8());
  } catch {
    return malformed();
  }
}

/** Decodes and validates a payload; anything wrong throws `ERR_ENVELOPE_MALFORMED`. */
export function decodePayload(mode: 'online' | 'offline', bytes: Uint8Array): ActivationPayload {
  const r = new ByteReader(bytes, malformed);
  let candidate: OnlineActivationPayload | OfflineActivationPayload;
  if (mode === 'online') {
    const activationId = encodeBase64Url(r.bytes(ACTIVATION_ID_LENGTH));
    const activationSecret = encodeBase64Url(r.bytes(ACTIVATION_SECRET_LENGTH));
    const policy = readPolicy(r);
    const { algorithm, digits } = readOtpByte(r, false);
    const period = r.u16();
    const issuer = readText(r);
    const originByte = r.u8();
    const originBytes = r.bytes(originByte & 0x7f);
    let origin = '';
    for (let i = 0; i < originBytes.length; i++) {
      const c = originBytes[i] as number;
      if (c < 0x21 || c > 0x7e) malformed();
      origin += String.fromCharCode(c);
    }
    // Spec 3.1: an encoder MUST elide `https://` (bit 7), and a decoder MUST also accept it
    // written out (bit 7 clear): both decode to the same origin, which the schema then checks.
    // The payload is inside the AEAD, so only the sealer chooses between the two encodings.
    if (originByte & 0x80) origin = HTTPS + origin;
    candidate = { mode, activationId, activationSecret, issuer, origin, policy, otp: { type: 'totp', algorithm, digits, period } };
  } else {
    const { type, algorithm, digits } = readOtpByte(r, true);
    let otp: TotpParameters | HotpParameters;
    if (type === 'totp') otp = { type, algorithm, digits, period: r.u16() };
    else {
      const counter = r.u64();
      if (counter < 0) malformed();
      otp = { type, algorithm, digits, counter };
    }
    const secret = encodeBase32(r.lp8());
    const issuer = readText(r);
    const account = readText(r);
    const policy = readPolicy(r);
    candidate = { mode, secret, issuer, account, policy, otp };
  }
  if (r.remaining !== 0) malformed();
  const parsed = payloadSchema.safeParse(candidate);
  if (!parsed.success) malformed();
  return candidate;
}
