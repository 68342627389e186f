import type { ChallengeRecord, JsonObject } from '@cloudmfa/storage';
import type { PushChallengeRecord } from '@cloudmfa/push';
import * as z from 'zod';
import { serverError } from './errors.js';

const schema = z.object({
  v: z.literal(1),
  token: z.string(),
  hash: z.string(),
  issuedAt: z.number().int(),
  numberMatch: z.boolean(),
  number: z.string().nullable(),
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

/** The record `verifyPushResponse` checks against, from the stored challenge. */
export function toPushRecord(ch: ChallengeRecord, meta: ChallengeMeta): PushChallengeRecord {
  return {
    id: ch.id,
    enrolmentId: ch.enrolmentId,
    hash: meta.hash,
    issuedAt: meta.issuedAt,
    expiresAt: ch.expiresAt,
    numberMatch: meta.numberMatch,
    number: meta.numberMatch ? meta.number : null,
    state: ch.status,
  };
}
