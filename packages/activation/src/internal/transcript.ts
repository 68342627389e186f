// Redemption transcript and key schedule (docs/protocol/activation.md section 5). App and
// server both build T with this one function, the server from its own stored payload.
import { concatBytes, type CryptoProvider, decodeBase64Url, utf8Encode } from '@cloudmfa/core';
import { p256 } from '@cloudmfa/core/curves';
import type { DevicePlatform, OnlineActivationPayload } from '../types.js';
import { ByteWriter } from './binary.js';
import { LABEL_BIND_KEY, LABEL_MAC_KEY, LABEL_RESPONSE_AAD, LABEL_RESPONSE_KEY, LABEL_TRANSCRIPT } from './constants.js';
import { writeOtpByte, writePolicy } from './payloadCodec.js';

const PLATFORM_CODES: Readonly<Record<DevicePlatform, number>> = Object.freeze({ ios: 1, android: 2, web: 3, other: 4 });

export interface TranscriptFields {
  devicePublicKey: Uint8Array;
  ephemeralPublicKey: Uint8Array;
  platform: DevicePlatform;
  pushToken: string | null;
  createdAt: number;
}

const ascii = (s: string): Uint8Array => utf8Encode(s);

export function buildTranscript(payload: OnlineActivationPayload, f: TranscriptFields): Uint8Array {
  const w = new ByteWriter()
    .bytes(ascii(LABEL_TRANSCRIPT))
    .u8(0)
    .bytes(decodeBase64Url(payload.activationId))
    .lp16(utf8Encode(payload.issuer))
    // No account: the online payload does not carry it (spec 5.2); the response's AEAD authenticates it.
    .lp16(ascii(payload.origin));
  writePolicy(w, payload.policy);
  writeOtpByte(w, payload.otp);
  w.u16(payload.otp.period).bytes(f.devicePublicKey).bytes(f.ephemeralPublicKey).u8(PLATFORM_CODES[f.platform]);
  if (f.pushToken === null) w.u8(0);
  else w.u8(1).lp16(ascii(f.pushToken));
  return w.u32(f.createdAt).finish();
}

/** K_mac and K_bind from the activation secret. */
export function activationKeys(crypto: CryptoProvider, payload: OnlineActivationPayload): { macKey: Uint8Array; bindKey: Uint8Array } {
  const secret = decodeBase64Url(payload.activationSecret);
  const id = decodeBase64Url(payload.activationId);
  const keys = {
    macKey: crypto.hkdfSha256(secret, id, ascii(LABEL_MAC_KEY), 32),
    bindKey: crypto.hkdfSha256(secret, id, ascii(LABEL_BIND_KEY), 32),
  };
  secret.fill(0);
  return keys;
}

export function responseKey(
  crypto: CryptoProvider,
  sharedX: Uint8Array,
  bindKey: Uint8Array,
  transcriptHash: Uint8Array,
  appEphemeral: Uint8Array,
  serverEphemeral: Uint8Array,
): Uint8Array {
  const ikm = concatBytes(sharedX, bindKey);
  const key = crypto.hkdfSha256(ikm, transcriptHash, concatBytes(ascii(LABEL_RESPONSE_KEY), appEphemeral, serverEphemeral), 32);
  ikm.fill(0);
  return key;
}

export function responseAad(activationId: Uint8Array, serverEphemeral: Uint8Array, nonce: Uint8Array): Uint8Array {
  return new ByteWriter().bytes(ascii(LABEL_RESPONSE_AAD)).u8(0).u8(1).bytes(activationId).bytes(serverEphemeral).bytes(nonce).finish();
}

/** True for an uncompressed, on-curve, non-identity P-256 point. */
export function isP256PublicKey(bytes: Uint8Array): boolean {
  if (bytes.length !== 65 || bytes[0] !== 0x04) return false;
  try {
    p256.Point.fromBytes(bytes).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/** x-coordinate of the ECDH shared point (32 bytes); the caller validated `publicKey`. */
export function ecdhX(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return p256.getSharedSecret(secretKey, publicKey, true).slice(1);
}
