import type { ChallengeRecord, JsonObject } from '@cloudmfa/storage';
import type { PushChallengeRecord } from '@cloudmfa/push/server';
import * as z from 'zod';
import type { ServerContext } from './context.js';
import { serverError } from './errors.js';

const schema = z.object({
  v: z.literal(1),
  token: z.string(),
  hash: z.string(),
  issuedAt: z.number().int(),
  numberMatch: z.boolean(),
  /** Challenges written before the number was MACed; never written any more. */
  number: z.string().nullable().optional(),
  /** base64url HMAC of the number (see `numberMac`), and the KEK id it was derived from. */
  numberMac: z.string().optional(),
  numberKeyId: z.string().optional(),
  /** base64url of the wrapped data key the MAC was made with (absent before envelope encryption). */
  numberKey: z.string().max(2048).optional(),
  numberDigits: z.number().int().min(2).max(6).optional(),
});

/** What the server keeps with a challenge (server side only: the number never leaves it except to the login page). */
export type ChallengeMeta = z.output<typeof schema>;

export function challengeMetaToJson(meta: ChallengeMeta): JsonObject {
  return { ...meta };
}

export function readChallengeMeta(ch: ChallengeRecord): ChallengeMeta {
  const parsed = schema.safeParse(ch.meta);
  if (!parsed.success) throw serverError('ERR_SERVER_CORRUPT', 'a push challenge record has metadata this server did not write');
  return parsed.data;
}

/** The MAC of a challenge's number as stored: a database reader cannot read the number. */
export function numberMac(ctx: ServerContext, challengeId: string, number: string): Promise<{ numberMac: string; numberKeyId: string; numberKey?: string }> {
  return ctx.keyRing.numberMac(challengeId, number);
}

/**
 * The number to check the answer against: the answered number itself when its MAC matches
 * the stored one (compared in constant time), else a number of the same length that differs
 * from it (so verifyPushResponse reports `wrong_number` and spends the attempt).
 */
async function expectedNumber(ctx: ServerContext, ch: ChallengeRecord, meta: ChallengeMeta, answered: string | null): Promise<string | null> {
  if (!meta.numberMatch) return null;
  if (meta.numberMac === undefined || meta.numberKeyId === undefined) return meta.number ?? null;
  const digits = meta.numberDigits ?? 2;
  const other = (n: string | null) => {
    const zeros = '1'.padEnd(digits, '0');
    return n === zeros ? '1'.padEnd(digits, '1') : zeros;
  };
  if (answered === null || !/^[0-9]{2,6}$/.test(answered)) return other(answered);
  const stored = { numberMac: meta.numberMac, numberKeyId: meta.numberKeyId, ...(meta.numberKey !== undefined ? { numberKey: meta.numberKey } : {}) };
  if (await ctx.keyRing.checkNumber(ch.id, answered, stored)) return answered;
  return other(answered);
}

/** The record `verifyPushResponse` checks against, from the stored challenge. */
export async function toPushRecord(ch: ChallengeRecord, meta: ChallengeMeta, ctx?: ServerContext, answered: string | null = null): Promise<PushChallengeRecord> {
  const number = ctx ? await expectedNumber(ctx, ch, meta, answered) : (meta.number ?? null);
  return {
    id: ch.id,
    enrolmentId: ch.enrolmentId,
    hash: meta.hash,
    issuedAt: meta.issuedAt,
    expiresAt: ch.expiresAt,
    numberMatch: meta.numberMatch,
    number: meta.numberMatch ? number : null,
    state: ch.status,
  };
}
