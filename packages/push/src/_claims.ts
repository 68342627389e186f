// The claims of each message kind, validated at the trust boundary (after the signature, or in
// peekPushMessage for lookup only). Strict objects: an unknown claim is refused. Hand-written
// validators (@cloudmfa/core/shape), not zod: this runs on the phone, where Metro ships zod whole.
import * as z from '@cloudmfa/core/shape';
import { PUSH_LIMITS } from './constants.js';
import { isDisplayText, isIpText, utf8Length } from './_text.js';

const ENROLMENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const DIGITS = /^[0-9]{1,8}$/;
/** Latest NumericDate accepted (year 9999): keeps `seconds * 1000` an exact integer. */
const MAX_SECONDS = 253_402_300_799;

// Canonical unpadded base64url of exactly 16 / 32 bytes, checked without decoding: the last
// character carries 2 (16 bytes) or 4 (32 bytes) data bits, and the unused low bits must be
// zero, so each byte string has exactly one accepted spelling.
const ID128 = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const SHA256_B64 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

export const isEnrolmentId = (value: unknown): value is string => typeof value === 'string' && ENROLMENT_ID.test(value);
export const isTypedNumber = (value: unknown): value is string => typeof value === 'string' && DIGITS.test(value);

const id128 = z.string((v) => ID128.test(v));
const sha256b64 = z.string((v) => SHA256_B64.test(v));
const enrolmentId = z.string((v) => ENROLMENT_ID.test(v));
const seconds = z.int(0, MAX_SECONDS);
const text = (max: number) => z.string((v) => isDisplayText(v, max));

/** The `ctx` claim as it travels. */
export interface ContextClaim {
  svc: string;
  msg?: string;
  ip?: string;
  loc?: string;
  dev?: string;
  at?: number;
}

/** UTF-8 size of the `ctx` claim as serialized (member order does not change the size). */
export function contextClaimBytes(ctx: ContextClaim): number {
  return utf8Length(JSON.stringify(ctx));
}

const contextSchema = z.strictObject(
  {
    svc: text(PUSH_LIMITS.contextService),
    msg: z.optional(text(PUSH_LIMITS.contextMessage)),
    ip: z.optional(z.string(isIpText)),
    loc: z.optional(text(PUSH_LIMITS.contextLocation)),
    dev: z.optional(text(PUSH_LIMITS.contextDevice)),
    at: z.optional(seconds),
  },
  (ctx) => contextClaimBytes(ctx) <= PUSH_LIMITS.contextBytes,
);

export const challengeClaimsSchema = z.strictObject(
  {
    jti: id128,
    sub: enrolmentId,
    iat: seconds,
    exp: seconds,
    nm: z.boolean(),
    ctx: contextSchema,
  },
  (c) => c.exp - c.iat >= 1 && c.exp - c.iat <= PUSH_LIMITS.maxTtlSeconds,
);

export const responseClaimsSchema = z.strictObject({
  cid: id128,
  chash: sha256b64,
  dec: z.oneOf(['confirm', 'suspicious', 'cancel']),
  num: z.optional(z.string((v) => DIGITS.test(v))),
  uv: z.boolean(),
  iat: seconds,
});

export const pollClaimsSchema = z.strictObject({
  sub: enrolmentId,
  iat: seconds,
  jti: id128,
});

/** Validates `value` against `schema`; `null` when it does not fit. Never throws. */
export function parseClaims<T>(schema: z.Shape<T>, value: unknown): T | null {
  if (value === undefined) return null;
  try {
    const result = schema.safeParse(value);
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}
