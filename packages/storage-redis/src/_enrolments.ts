import { type EnrolmentRecord, type EnrolmentStore, type RedeemResult, type UpdateEnrolmentResult } from '@cloudmfa/storage';
import { assertStorageId, assertUserId, normalizeCreateEnrolment, normalizeEnrolmentChanges, resolveLimit, storageError } from '@cloudmfa/storage/adapter';
import { decodeEnrolment, encodeSecret, fieldsOf, mapOfObject } from './_codec.js';
import { type StoreContext, ttlMs } from './_context.js';
import { enrolmentKey, userIndexKey } from './_keys.js';
import { type Batcher, createBatcher } from './_batch.js';
import { ENROLMENT_CREATE, ENROLMENT_REDEEM, ENROLMENT_REVOKE, ENROLMENT_UPDATE, HASH_READ } from './_scripts.js';

/** Index entries whose record is absent are pruned once their score is this much older than now. */
const INDEX_PRUNE_GRACE_MS = 5 * 60_000;
/** The most user-index entries one listByUser call inspects (caps the cost of a bloated index). */
const LIST_BY_USER_MAX_SCAN = 10_000;

const corrupt = () => storageError('ERR_STORAGE_CORRUPT', 'a stored enrolment cannot be decoded');

/** A script reply `{ reason [, flat record] }`. */
function replyOf(reply: unknown): { reason: string; fields: Map<string, string> | null } {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw corrupt();
  if (reply[0] === 'corrupt') throw corrupt();
  return { reason: reply[0], fields: reply.length > 1 ? fieldsOf(reply[1], 'enrolment') : null };
}

/** The enrolment part of the Redis store set (docs/storage-redis.md, sections 3 and 3.1); `drain` is for close(). */
export function redisEnrolments(ctx: StoreContext): EnrolmentStore & { drain(): Promise<void> } {
  const { client, prefix } = ctx;
  // Reads of one turn: one script per slot (a single node: one for all); one alone in its
  // slot (the rule on a cluster) is a plain HGETALL.
  const reads: Batcher = createBatcher(ctx, HASH_READ, { single: (key) => client.hgetall(key) });

  return {
    drain: () => reads.drain(),
    create: (input) =>
      ctx.op(async (now) => {
        const e = normalizeCreateEnrolment(input, now);
        const index = userIndexKey(prefix, e.userId);
        // 1. Index first, so a record never exists unlisted (section 3.1).
        const added = await client.zadd(index, 'NX', now, e.id);
        // 2. The record: the commit point.
        const created = await ctx.run(ENROLMENT_CREATE, [enrolmentKey(prefix, e.id)], [
          e.userId,
          encodeSecret(e.secret),
          e.meta,
          String(now),
          String(e.expiresAt),
          ttlMs(e.expiresAt, now, ctx.pendingEnrolmentRetentionMs),
        ]);
        if (created !== 1) {
          // 3b. Conflict: take back an entry we added for a record that is someone else's.
          if (added === 1) {
            const owner = await client.hget(enrolmentKey(prefix, e.id), 'u');
            if (owner !== e.userId) await client.zrem(index, e.id);
          }
          throw storageError('ERR_STORAGE_CONFLICT', 'an enrolment with this id already exists');
        }
        // 3a. Success: the score is this record's createdAt even if step 1 met an old entry.
        await client.zadd(index, now, e.id);
        return {
          id: e.id,
          userId: e.userId,
          status: 'pending',
          secret: e.secret.slice(),
          meta: JSON.parse(e.meta),
          createdAt: now,
          expiresAt: e.expiresAt,
          activatedAt: null,
          revokedAt: null,
          version: 1,
        } satisfies EnrolmentRecord;
      }),

    get: (id) =>
      ctx.op(async () => {
        assertStorageId(id, 'id');
        const reply = await reads.push(enrolmentKey(prefix, id), []);
        // A batch answers the flat HGETALL array, a lone read ioredis' object.
        const f = Array.isArray(reply) ? fieldsOf(reply, 'enrolment') : mapOfObject(reply, 'enrolment');
        return f.size === 0 ? null : decodeEnrolment(id, f);
      }),

    listByUser: (userId, options) =>
      ctx.op(async (now) => {
        assertUserId(userId, 'userId');
        const limit = resolveLimit(options?.limit, 'limit');
        const index = userIndexKey(prefix, userId);
        const found: EnrolmentRecord[] = [];
        const stale: string[] = [];
        let start = 0;
        while (found.length < limit && start < LIST_BY_USER_MAX_SCAN) {
          const n = Math.min(limit - found.length + 8, LIST_BY_USER_MAX_SCAN - start);
          const page = await client.zrange(index, start, start + n - 1, 'WITHSCORES');
          if (page.length === 0) break;
          const ids: string[] = [];
          const scores: number[] = [];
          for (let i = 0; i + 1 < page.length; i += 2) {
            ids.push(page[i]!);
            scores.push(Number(page[i + 1]));
          }
          // Point reads, each in its own slot: no command spans slots.
          const hashes = await Promise.all(ids.map((id) => client.hgetall(enrolmentKey(prefix, id))));
          for (let i = 0; i < ids.length && found.length < limit; i++) {
            const f = mapOfObject(hashes[i], 'enrolment');
            if (f.size === 0) {
              if (scores[i]! < now - INDEX_PRUNE_GRACE_MS) stale.push(ids[i]!);
              continue;
            }
            // An entry left by an interrupted or refused create of someone else's id.
            if (f.get('u') !== userId) continue;
            found.push(decodeEnrolment(ids[i]!, f));
          }
          if (ids.length < n) break;
          start += ids.length;
        }
        if (stale.length > 0) await client.zrem(index, ...stale);
        return found.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),

    redeem: (id, changes) =>
      ctx.op(async (now): Promise<RedeemResult> => {
        assertStorageId(id, 'id');
        const c = normalizeEnrolmentChanges(changes, { allowVersion: false });
        const r = replyOf(
          await ctx.run(ENROLMENT_REDEEM, [enrolmentKey(prefix, id)], [
            String(now),
            c.secret ? '1' : '0',
            c.secret ? encodeSecret(c.secret) : '',
            c.meta !== undefined ? '1' : '0',
            c.meta ?? '',
          ]),
        );
        if (r.reason === 'not_found') return { ok: false, reason: 'not_found' };
        if (!r.fields) throw corrupt();
        if (r.reason === 'ok') return { ok: true, enrolment: decodeEnrolment(id, r.fields) };
        if (r.reason === 'already_active' || r.reason === 'revoked' || r.reason === 'expired') {
          return { ok: false, reason: r.reason, enrolment: decodeEnrolment(id, r.fields, true) };
        }
        throw corrupt();
      }),

    update: (id, changes) =>
      ctx.op(async (): Promise<UpdateEnrolmentResult> => {
        assertStorageId(id, 'id');
        const c = normalizeEnrolmentChanges(changes, { allowVersion: true });
        const r = replyOf(
          await ctx.run(ENROLMENT_UPDATE, [enrolmentKey(prefix, id)], [
            c.secret ? '1' : '0',
            c.secret ? encodeSecret(c.secret) : '',
            c.meta !== undefined ? '1' : '0',
            c.meta ?? '',
            c.expectedVersion === undefined ? '' : String(c.expectedVersion),
          ]),
        );
        if (r.reason === 'not_found' || r.reason === 'revoked' || r.reason === 'version_mismatch') return { ok: false, reason: r.reason };
        if (r.reason === 'ok' && r.fields) return { ok: true, enrolment: decodeEnrolment(id, r.fields) };
        throw corrupt();
      }),

    revoke: (id) =>
      ctx.op(async (now) => {
        assertStorageId(id, 'id');
        const r = replyOf(await ctx.run(ENROLMENT_REVOKE, [enrolmentKey(prefix, id)], [String(now)]));
        if (r.reason === 'not_found' || r.reason === 'already_revoked') return { ok: false as const, reason: r.reason };
        if (r.reason === 'ok' && r.fields) return { ok: true as const, enrolment: decodeEnrolment(id, r.fields, true) };
        throw corrupt();
      }),
  };
}
