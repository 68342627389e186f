import { PUSH_LIMITS } from '@cloudmfa/push';
import * as z from 'zod';

// HTTP-level shapes: types and size caps. The facade and the protocol packages validate every
// field for real; these keep junk from reaching the store at all.
const b64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9_-]*$/);

export const redeemBody = z
  .object({
    version: z.number().int().min(0).max(255),
    activationId: b64(32),
    devicePublicKey: b64(100),
    ephemeralPublicKey: b64(100),
    platform: z.enum(['ios', 'android', 'web', 'other']),
    pushToken: z.string().min(1).max(4096).nullable(),
    createdAt: z.number().int().min(0).max(0xffffffff),
    mac: b64(64),
    signature: b64(100),
  })
  .strict();

export const respondBody = z.object({ response: z.string().min(1).max(PUSH_LIMITS.responseLength) }).strict();
export const pollBody = z.object({ request: z.string().min(1).max(PUSH_LIMITS.pollLength) }).strict();
/** Device requests carry a push token of up to 4,096 characters. */
export const deviceBody = z.object({ request: z.string().min(1).max(6144) }).strict();
export const CHALLENGE_ID = /^[A-Za-z0-9_-]{1,128}$/;

// What the device routes answer (documentation: the OpenAPI document is generated from these,
// and the HTTP tests check every real answer against it).
export const redeemResponse = z
  .object({ version: z.literal(1), activationId: z.string(), serverEphemeralPublicKey: z.string(), nonce: z.string(), ciphertext: z.string() })
  .strict()
  .describe('The RedemptionResponse (docs/protocol/activation.md): the seed encrypted to the device key');
export const respondResponse = z
  .object({
    challengeId: z.string(),
    status: z.enum(['approved', 'denied', 'cancelled']),
    suspicious: z.boolean(),
    detail: z.enum(['wrong_number', 'user_not_verified']).nullable(),
  })
  .strict();
export const pollResponse = z.object({ enrolmentId: z.string(), challenges: z.array(z.string()).describe('Pending challenge JWSs') }).strict();
export const pushTokenResponse = z.object({ enrolmentId: z.string(), updated: z.literal(true) }).strict();
export const unregisterResponse = z.object({ enrolmentId: z.string(), unregistered: z.literal(true) }).strict();
export const timeResponse = z.object({ serverTime: z.number().int().min(0).describe('ms since the epoch') }).strict();
