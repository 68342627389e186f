import { hash } from 'node:crypto';

// Key names (docs/storage-redis.md, section 2). Every key carries a hash tag; keys a script
// touches together share it. Ids are [A-Za-z0-9_-] (validated before any key is built), so
// the tag of an enrolment key is exactly the enrolment id, and the `c:` / `u:` tags (which
// contain a colon) can never collide with one.
//
// `p` is the key head of one organisation (docs/storage.md, "Organisations"): the store's prefix and
// the tag's opening brace, then, for any organisation but the default one, `<org>/` inside
// the tag (`cloudmfa:{acme/enr1}:enr`). A default tag never holds a slash and an organisation
// id never does, so no key of one organisation is ever a key of another; the default one's
// keys are those of a store written before organisations existed.

/**
 * base64url(SHA-256(UTF-8(userId))): a fixed-size, brace-free tag for any Unicode user id. The
 * one-shot `hash` (a third of createHash's cost: every logged consume computes one).
 */
function userTag(userId: string): string {
  return hash('sha256', userId, 'base64url');
}

export const enrolmentKey = (p: string, enrolmentId: string) => `${p}${enrolmentId}}:enr`;
export const guardKey = (p: string, enrolmentId: string) => `${p}${enrolmentId}}:guard`;
/** The end of every outbox key (found by SCAN when the outbox is drained). */
export const OUTBOX_SUFFIX = ':obx';
/** The audit outbox of one guard (hash: audit key -> entry JSON), in the guard's slot. */
export const outboxKey = (p: string, enrolmentId: string) => `${p}${enrolmentId}}${OUTBOX_SUFFIX}`;
/** The prefix of the challenge keys of one enrolment; a challenge key is this + challenge id. */
export const challengeKeyPrefix = (p: string, enrolmentId: string) => `${p}${enrolmentId}}:ch:`;
export const challengeKey = (p: string, enrolmentId: string, challengeId: string) => `${challengeKeyPrefix(p, enrolmentId)}${challengeId}`;
export const pendingKey = (p: string, enrolmentId: string) => `${p}${enrolmentId}}:pend`;
export const ownerKey = (p: string, challengeId: string) => `${p}c:${challengeId}}:own`;
export const userIndexKey = (p: string, userId: string) => `${p}u:${userTag(userId)}}:enr`;
/** The user's push pause (string: pausedUntil ms), in the user's slot. */
export const userPauseKey = (p: string, userId: string) => `${p}u:${userTag(userId)}}:pause`;
/** The user's pending challenges across enrolments (zset `<enrolmentId>/<challengeId>` by expiresAt), in the user's slot. */
export const userPendingKey = (p: string, userId: string) => `${p}u:${userTag(userId)}}:upend`;

export const auditAllKey = (p: string) => `${p}audit}:all`;
export const auditEnrolmentKey = (p: string, enrolmentId: string) => `${p}audit}:e:${enrolmentId}`;
export const auditUserKey = (p: string, userId: string) => `${p}audit}:u:${userTag(userId)}`;
/** The marker of an audit idempotency key (string: the stream id of its event). */
export const auditMarkerKey = (p: string, key: string) => `${p}audit}:key:${key}`;

/** The key head of organisation `org` (`null`: the default one) under the store's prefix. */
export const keyHead = (prefix: string, org: string | null) => (org === null ? `${prefix}{` : `${prefix}{${org}/`);

/** The organisation records (hash per id) and their id index (zset, by lex), in one slot. */
export const organisationKey = (prefix: string, id: string) => `${prefix}{o:index}:rec:${id}`;
export const organisationIndexKey = (prefix: string) => `${prefix}{o:index}:ids`;
