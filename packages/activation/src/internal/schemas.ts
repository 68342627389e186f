// The validators of every trust boundary of the package: sealing input (developer), decoded
// envelope payloads, redemption requests (server side) and responses (app side). They are the
// one definition of what is valid; the binary codecs check structure and then run these.
// Hand-written (./shape.ts), not zod: this module ships in every phone bundle (Metro does not
// tree-shake), and zod would be ~97 KB min+gzip of it.
import { decodeBase32, decodeBase64Url, utf8Encode } from '@cloudmfa/core';
import type {
  ActivationPayload,
  OfflineActivationPayload,
  OnlineActivationPayload,
  RedemptionRequest,
  RedemptionResponse,
} from '../types.js';
import { ACTIVATION_ID_LENGTH, ACTIVATION_SECRET_LENGTH, MAX_PUSH_TOKEN_LENGTH, MAX_RESPONSE_CIPHERTEXT, NONCE_LENGTH, P256_PUBLIC_KEY_LENGTH } from './constants.js';
import * as z from '@cloudmfa/core/shape';

/** UTF-8 length of a string (what the binary formats count). */
const utf8Length = (s: string): number => utf8Encode(s).length;

// Characters that could make a preview show something other than what it says: C0/C1
// controls, DEL, bidirectional embeddings/overrides/isolates. Lone surrogates would not
// survive UTF-8 and are rejected too.
function isDisplaySafe(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

const HTTPS_ORIGIN = /^https:\/\/[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?$/;
const LOOPBACK_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::[0-9]{1,5})?$/;

/** A serialized https origin (or http on loopback), lowercase, no path, port 1..65535. */
function isValidOrigin(s: string): boolean {
  if (s.length > 127 || !(HTTPS_ORIGIN.test(s) || LOOPBACK_ORIGIN.test(s))) return false;
  const port = /:([0-9]{1,5})$/.exec(s);
  if (port) {
    const n = Number(port[1]);
    if (n < 1 || n > 65535 || String(n) !== port[1]) return false;
  }
  return !s.includes('..');
}

const displayString = (min: number, max: number) =>
  z.string(
    (s) => s.length <= max,
    (s) => isDisplaySafe(s),
    (s) => {
      const n = utf8Length(s);
      return n >= min && n <= max;
    },
  );

const base64urlBytes = (min: number, max = min) =>
  z.string(
    (s) => s.length <= Math.ceil((max * 4) / 3),
    (s) => {
      try {
        const n = decodeBase64Url(s).length;
        return n >= min && n <= max;
      } catch {
        return false;
      }
    },
  );

const algorithm = z.oneOf(['SHA1', 'SHA256', 'SHA512']);
const digits = z.int(6, 10);

const policySchema = z.strictObject({
  pinRequired: z.boolean(),
  minPinLength: z.int(4, 16),
  biometricsAllowed: z.boolean(),
});

const totpSchema = z.strictObject({
  type: z.literal('totp'),
  algorithm,
  digits,
  period: z.int(1, 3600),
});

const hotpSchema = z.strictObject({
  type: z.literal('hotp'),
  algorithm,
  digits,
  counter: z.int(0, Number.MAX_SAFE_INTEGER),
});

/** An account name wherever the protocol carries one: 1..128 UTF-8 bytes, display-safe. */
export const accountSchema = displayString(1, 128);

export const onlinePayloadSchema = z.strictObject({
  mode: z.literal('online'),
  activationId: base64urlBytes(ACTIVATION_ID_LENGTH),
  activationSecret: base64urlBytes(ACTIVATION_SECRET_LENGTH),
  issuer: displayString(1, 64),
  origin: z.string((s) => isValidOrigin(s)),
  policy: policySchema,
  otp: totpSchema,
});

const offlinePayloadSchema = z.strictObject({
  mode: z.literal('offline'),
  secret: z.string(
    (s) => s.length <= 256,
    (s) => {
      try {
        const n = decodeBase32(s).length;
        return n >= 10 && n <= 64;
      } catch {
        return false;
      }
    },
  ),
  issuer: displayString(0, 64),
  account: accountSchema,
  policy: policySchema,
  otp: z.discriminatedUnion('type', [
    { value: 'totp', shape: totpSchema },
    { value: 'hotp', shape: hotpSchema },
  ]),
});

export const payloadSchema = z.discriminatedUnion('mode', [
  { value: 'online', shape: onlinePayloadSchema },
  { value: 'offline', shape: offlinePayloadSchema },
]);

const PUSH_TOKEN = /^[\x21-\x7e]+$/;

export const redemptionRequestSchema = z.strictObject({
  version: z.int(),
  activationId: base64urlBytes(ACTIVATION_ID_LENGTH),
  devicePublicKey: base64urlBytes(P256_PUBLIC_KEY_LENGTH),
  ephemeralPublicKey: base64urlBytes(P256_PUBLIC_KEY_LENGTH),
  platform: z.oneOf(['ios', 'android', 'web', 'other']),
  pushToken: z.nullable(z.string((s) => s.length >= 1 && s.length <= MAX_PUSH_TOKEN_LENGTH && PUSH_TOKEN.test(s))),
  createdAt: z.int(0, 0xffffffff),
  mac: base64urlBytes(32),
  signature: base64urlBytes(64),
});

export const redemptionResponseSchema = z.strictObject({
  version: z.int(),
  activationId: base64urlBytes(ACTIVATION_ID_LENGTH),
  serverEphemeralPublicKey: base64urlBytes(P256_PUBLIC_KEY_LENGTH),
  nonce: base64urlBytes(NONCE_LENGTH),
  ciphertext: base64urlBytes(17, MAX_RESPONSE_CIPHERTEXT),
});

export const ENROLMENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export const responseInnerSchema = z.strictObject({
  seed: base64urlBytes(16, 64),
  otp: totpSchema,
  issuer: displayString(1, 64),
  account: accountSchema,
  enrolmentId: z.string((s) => ENROLMENT_ID.test(s)),
  pushKey: z.strictObject({
    algorithm: z.oneOf(['ES256', 'EdDSA']),
    publicKey: base64urlBytes(32, 65),
  }),
  // Added after version 1 shipped (docs/protocol/activation.md 5.5): written only when `true`,
  // so a response of an organisation that does not allow seed export is byte-for-byte what
  // earlier servers wrote, and absent means not allowed.
  seedExportAllowed: z.optional(z.boolean()),
});

export type ResponseInner = z.Infer<typeof responseInnerSchema>;

// The schemas and the public interfaces must describe the same shapes (checked at compile time:
// the alias is never used, TypeScript checks its `Assert<...>` constraints all the same).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type SchemaMatchesTypes = [
  Assert<Same<z.Infer<typeof onlinePayloadSchema>, OnlineActivationPayload>>,
  Assert<Same<z.Infer<typeof offlinePayloadSchema>, OfflineActivationPayload>>,
  Assert<Same<z.Infer<typeof payloadSchema>, ActivationPayload>>,
  Assert<Same<Omit<z.Infer<typeof redemptionRequestSchema>, 'version'>, Omit<RedemptionRequest, 'version'>>>,
  Assert<Same<Omit<z.Infer<typeof redemptionResponseSchema>, 'version'>, Omit<RedemptionResponse, 'version'>>>,
];

/** Where a value first fails a schema, as a dotted path (never the value itself). */
export function firstIssuePath(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }> }): string {
  const issue = error.issues[0];
  if (!issue || issue.path.length === 0) return '(root)';
  return issue.path.map((p) => String(p)).join('.');
}
