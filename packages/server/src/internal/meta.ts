// The public metadata this package keeps on an enrolment record (store `meta`), and its
// strict reading: a record whose meta is not what we wrote is ERR_SERVER_CORRUPT.
import { decodeBase64Url } from '@cloudmfa/core';
import { publicKeyThumbprint } from '@cloudmfa/push';
import type { EnrolmentRecord, JsonObject } from '@cloudmfa/storage';
import * as z from 'zod';
import type { ActivationMode, EnrolmentOtp, EnrolmentView } from '../types.js';
import { serverError } from './errors.js';
import type { KeyRing, SecretBinding } from './sealing.js';

const algorithm = z.enum(['SHA1', 'SHA256', 'SHA512']);
const otpSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('totp'), algorithm, digits: z.number().int().min(6).max(10), period: z.number().int().min(1).max(3600) }),
  z.object({ type: z.literal('hotp'), algorithm, digits: z.number().int().min(6).max(10), counter: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
]);
const platform = z.enum(['ios', 'android', 'web', 'other']);

const metaSchema = z.object({
  v: z.literal(1),
  mode: z.enum(['online', 'offline', 'otpauth']),
  issuer: z.string(),
  account: z.string(),
  origin: z.string().optional(),
  app: z.object({ pinRequired: z.boolean(), minPinLength: z.number().int(), biometricsAllowed: z.boolean() }).optional(),
  otp: otpSchema,
  device: z
    .object({
      publicKey: z.string(),
      platform,
      pushToken: z.string().nullable(),
      transcriptHash: z.string(),
      requestDigest: z.string(),
    })
    .optional(),
  response: z
    .object({
      version: z.literal(1),
      activationId: z.string(),
      serverEphemeralPublicKey: z.string(),
      nonce: z.string(),
      ciphertext: z.string(),
    })
    .optional(),
});

/** The parsed metadata of one of our enrolments. */
export type EnrolmentMeta = z.output<typeof metaSchema>;

/** Reads a record's meta strictly; throws `ERR_SERVER_CORRUPT` (no value in the message). */
export function readMeta(record: EnrolmentRecord): EnrolmentMeta {
  const parsed = metaSchema.safeParse(record.meta);
  if (!parsed.success) throw serverError('ERR_SERVER_CORRUPT', 'an enrolment record has metadata this server did not write');
  return parsed.data;
}

/** The meta as a JSON object for the store (drops `undefined` members). */
export function metaToJson(meta: EnrolmentMeta): JsonObject {
  return JSON.parse(JSON.stringify(meta)) as JsonObject;
}

/**
 * The attributes bound to the sealed secret (AEAD associated data, docs/server.md section 2):
 * the mode, the OTP parameters and the device public key, canonically encoded; the UTF-8 of
 * this text is what is bound. A database writer who changes any of them makes the secret fail
 * to open.
 */
export function boundAttributes(meta: Pick<EnrolmentMeta, 'mode' | 'otp'> & { device?: { publicKey: string } | undefined }): string {
  const o = meta.otp;
  const otp = o.type === 'totp' ? ['totp', o.algorithm, o.digits, o.period] : ['hotp', o.algorithm, o.digits, o.counter];
  return JSON.stringify(['cloudmfa/enrolment-binding/v1', meta.mode, otp, meta.device?.publicKey ?? null]);
}

/** The AEAD binding of an enrolment's sealed secret. */
export function bindingOf(rec: { id: string; userId: string }, meta: Parameters<typeof boundAttributes>[0]): SecretBinding {
  return { enrolmentId: rec.id, userId: rec.userId, attributes: boundAttributes(meta) };
}

/** The device key of a redeemed online enrolment, or `null`. */
export function deviceKeyOf(meta: EnrolmentMeta): Uint8Array | null {
  if (!meta.device) return null;
  try {
    const key = decodeBase64Url(meta.device.publicKey);
    return key.length === 65 ? key : null;
  } catch {
    return null;
  }
}

/** RFC 7638 thumbprint of a P-256 device key (what audit entries name), or `null`. */
export function deviceThumbprint(publicKey: Uint8Array | null): string | null {
  if (!publicKey) return null;
  try {
    return publicKeyThumbprint({ algorithm: 'ES256', publicKey });
  } catch {
    return null;
  }
}

/** The secret-free view of an enrolment. */
export function toView(record: EnrolmentRecord, keyRing: KeyRing, now: number): EnrolmentView {
  const meta = readMeta(record);
  const key = deviceKeyOf(meta);
  return {
    id: record.id,
    userId: record.userId,
    status: record.status,
    expired: record.status === 'pending' && now >= record.expiresAt,
    mode: meta.mode as ActivationMode,
    issuer: meta.issuer,
    account: meta.account,
    otp: { ...meta.otp } as EnrolmentOtp,
    device:
      meta.device && key
        ? { platform: meta.device.platform, keyThumbprint: deviceThumbprint(key) ?? '', push: meta.device.pushToken !== null }
        : null,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    activatedAt: record.activatedAt,
    revokedAt: record.revokedAt,
    keyId: record.status === 'revoked' ? null : keyRing.keyIdOf(record.secret),
  };
}
