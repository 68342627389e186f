import { type ChallengeRecord, type ChallengeStore, type FinalizeResult } from '@cloudmfa/storage';
import { assertStorageId, assertUserId, createdChallenge, normalizeCreateChallenge, normalizeFinalize, normalizePauseUser, resolveLimit, storageError } from '@cloudmfa/storage/adapter';
import { decodeChallenge, fieldsOf, intOf, mapOfObject } from './_codec.js';
import { type StoreContext, ttlMs } from './_context.js';
import { challengeKey, challengeKeyPrefix, ownerKey, pendingKey, userPauseKey, userPendingKey } from './_keys.js';
import { CHALLENGE_CANCEL, CHALLENGE_CLAIM, CHALLENGE_CREATE, CHALLENGE_FINALIZE, CHALLENGE_LIST_PENDING, USER_OPEN, USER_PAUSE } from './_scripts.js';

/** The most pending-index entries one listPending call inspects. */
const LIST_PENDING_MAX_SCAN = 10_000;

const corrupt = () => storageError('ERR_STORAGE_CORRUPT', 'a stored challenge cannot be decoded');
const conflict = () => storageError('ERR_STORAGE_CONFLICT', 'a challenge with this id already exists');

/** The push challenge part of the Redis store set (docs/storage-redis.md, sections 3 and 3.2). */
export function redisChallenges(ctx: StoreContext): ChallengeStore {
  const { client, prefix } = ctx;

  // The enrolment a challenge id belongs to, from its owner pointer (null: unknown id).
  const ownerOf = async (id: string): Promise<string | null> => {
    const owner = await client.get(ownerKey(prefix, id));
    if (owner === null) return null;
    assertStoredId(owner);
    return owner;
  };

  return {
    create: (input) =>
      ctx.op(async (now) => {
        const c = normalizeCreateChallenge(input, now);
        const ttl = ttlMs(c.expiresAt, now, ctx.challengeRetentionMs);
        // 1. Claim the id for this enrolment (the id's own slot).
        const claimed = await ctx.run(CHALLENGE_CLAIM, [ownerKey(prefix, c.id)], [c.enrolmentId, ttl]);
        if (claimed !== 1) throw conflict();
        // 2. The user's half (the user's slot): the pause and the pending cap, and the entry a
        //    later pause finds this challenge by.
        const opened = await ctx.run(USER_OPEN, [userPauseKey(prefix, c.userId), userPendingKey(prefix, c.userId)], [
          String(now),
          c.maxPending === null ? '' : String(c.maxPending),
          `${c.enrolmentId}/${c.id}`,
          String(c.expiresAt),
          ttl,
        ]);
        if (!Array.isArray(opened) || typeof opened[0] !== 'string') throw corrupt();
        if (opened[0] === 'paused') return { ok: false, reason: 'paused', pausedUntil: intOf(opened[1], 'pause') };
        if (opened[0] === 'too_many_pending') return { ok: false, reason: 'too_many_pending', pending: intOf(opened[1], 'pending') };
        if (opened[0] !== 'ok') throw corrupt();
        // 3. The record and its pending-index entry (the enrolment's slot): the commit point.
        const created = await ctx.run(CHALLENGE_CREATE, [challengeKey(prefix, c.enrolmentId, c.id), pendingKey(prefix, c.enrolmentId)], [
          c.id,
          c.enrolmentId,
          c.userId,
          String(now),
          String(c.expiresAt),
          c.meta,
          ttl,
        ]);
        if (created === 2) {
          // A pause took this challenge between the two halves and left a tombstone.
          const until = Number(await client.get(userPauseKey(prefix, c.userId)));
          return { ok: false, reason: 'paused', pausedUntil: Number.isSafeInteger(until) && until > now ? until : now };
        }
        if (created !== 1) throw conflict();
        return { ok: true, challenge: createdChallenge(c, now) };
      }),

    get: (id) =>
      ctx.op(async (now) => {
        assertStorageId(id, 'id');
        const owner = await ownerOf(id);
        if (owner === null) return null;
        const f = mapOfObject(await client.hgetall(challengeKey(prefix, owner, id)), 'challenge');
        return f.size === 0 ? null : decodeChallenge(id, f, now);
      }),

    finalize: (id, transition) =>
      ctx.op(async (now): Promise<FinalizeResult> => {
        assertStorageId(id, 'id');
        const { status, outcome } = normalizeFinalize(transition);
        const owner = await ownerOf(id);
        if (owner === null) return { ok: false, reason: 'not_found' };
        const reply = await ctx.run(CHALLENGE_FINALIZE, [challengeKey(prefix, owner, id), pendingKey(prefix, owner)], [
          String(now),
          status,
          outcome ?? '',
          id,
        ]);
        if (!Array.isArray(reply) || typeof reply[0] !== 'string' || reply[0] === 'corrupt') throw corrupt();
        if (reply[0] === 'not_found') return { ok: false, reason: 'not_found' };
        const challenge = decodeChallenge(id, fieldsOf(reply[1], 'challenge'), now);
        if (reply[0] === 'ok') {
          // Leave the user's pending index (an entry left behind, when this second request
          // fails, only counts toward the cap until the challenge's expiry).
          await client.zrem(userPendingKey(prefix, challenge.userId), `${owner}/${id}`);
          return { ok: true, challenge };
        }
        if (reply[0] === 'expired') return { ok: false, reason: 'expired', challenge };
        if (reply[0] === 'already_final' && challenge.status !== 'pending') {
          return { ok: false, reason: 'already_final', status: challenge.status, challenge };
        }
        throw corrupt();
      }),

    listPending: (enrolmentId, options) =>
      ctx.op(async (now) => {
        assertStorageId(enrolmentId, 'enrolmentId');
        const limit = resolveLimit(options?.limit, 'limit');
        const reply = await ctx.run(CHALLENGE_LIST_PENDING, [pendingKey(prefix, enrolmentId)], [
          String(now),
          String(limit),
          challengeKeyPrefix(prefix, enrolmentId),
          String(LIST_PENDING_MAX_SCAN),
        ]);
        if (!Array.isArray(reply) || reply.length % 2 !== 0) throw corrupt();
        const out: ChallengeRecord[] = [];
        for (let i = 0; i < reply.length; i += 2) {
          const id = reply[i];
          assertStoredId(id);
          out.push(decodeChallenge(id, fieldsOf(reply[i + 1], 'challenge'), now));
        }
        return out;
      }),

    pauseUser: (userId, options) =>
      ctx.op(async (now) => {
        const p = normalizePauseUser(userId, options);
        const reply = await ctx.run(USER_PAUSE, [userPauseKey(prefix, p.userId), userPendingKey(prefix, p.userId)], [String(now), String(p.until)]);
        if (!Array.isArray(reply) || !Array.isArray(reply[1])) throw corrupt();
        const pausedUntil = intOf(reply[0], 'pause');
        const members = reply[1] as unknown[];
        let cancelled = 0;
        for (let i = 0; i < members.length; i += 2) {
          const member = members[i];
          if (typeof member !== 'string') throw corrupt();
          const [enrolmentId, challengeId] = member.split('/');
          assertStoredId(enrolmentId);
          assertStoredId(challengeId);
          const expiresAt = intOf(members[i + 1] as string | undefined, 'pending expiresAt');
          const r = await ctx.run(CHALLENGE_CANCEL, [challengeKey(prefix, enrolmentId, challengeId), pendingKey(prefix, enrolmentId)], [
            String(now),
            p.outcome,
            challengeId,
            enrolmentId,
            p.userId,
            ttlMs(Math.max(expiresAt, now + 1), now, ctx.challengeRetentionMs),
          ]);
          if (r === 1) cancelled++;
        }
        return { pausedUntil, cancelled };
      }),

    getPause: (userId) =>
      ctx.op(async (now) => {
        assertUserId(userId, 'userId');
        const v = await client.get(userPauseKey(prefix, userId));
        if (v === null) return null;
        const until = intOf(v, 'pause');
        return now < until ? until : null;
      }),

    resumeUser: (userId) =>
      ctx.op(async () => {
        assertUserId(userId, 'userId');
        await client.del(userPauseKey(prefix, userId));
      }),
  };
}

const ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

// Ids read back from Redis (owner pointers, index members) become key names: check them.
function assertStoredId(v: unknown): asserts v is string {
  if (typeof v !== 'string' || !ID_RE.test(v)) throw corrupt();
}
