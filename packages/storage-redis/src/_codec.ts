import { type AuditEvent, type ChallengeRecord, type EnrolmentRecord, type EnrolmentStatus, type OtpGuardState, STORAGE_LIMITS } from '@cloudmfa/storage';
import { parseJsonObject, storageError } from '@cloudmfa/storage/adapter';

// Decoding what Redis returns. Anything that is not exactly what the adapter writes is
// ERR_STORAGE_CORRUPT (a tampered key, a newer layout); messages name the field, never a value.

const corrupt = (what: string) => storageError('ERR_STORAGE_CORRUPT', `stored ${what} cannot be decoded`);

/** A flat `[field, value, ...]` reply (HGETALL, stream entry fields) as a map. */
export function fieldsOf(reply: unknown, what: string): Map<string, string> {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) throw corrupt(what);
  const m = new Map<string, string>();
  for (let i = 0; i < reply.length; i += 2) {
    const k = reply[i];
    const v = reply[i + 1];
    if (typeof k !== 'string' || typeof v !== 'string') throw corrupt(what);
    m.set(k, v);
  }
  return m;
}

/** An HGETALL object reply (ioredis turns it into a plain object) as a map. */
export function mapOfObject(reply: unknown, what: string): Map<string, string> {
  if (typeof reply !== 'object' || reply === null) throw corrupt(what);
  const m = new Map<string, string>();
  const o = reply as Record<string, unknown>;
  // for-in, not Object.entries: no array per field on the hot read path. ioredis builds the
  // object itself (a plain object, no inherited enumerable keys).
  for (const k in o) {
    const v = o[k];
    if (typeof v !== 'string') throw corrupt(what);
    m.set(k, v);
  }
  return m;
}

const DECIMAL = /^(0|-?[1-9][0-9]{0,15})$/;

/** A decimal integer field (safe integer) or ERR_STORAGE_CORRUPT. */
export function intOf(text: string | undefined, what: string): number {
  if (text === undefined || !DECIMAL.test(text)) throw corrupt(what);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw corrupt(what);
  return n;
}

/** `''` is null, else a decimal integer. */
export function nullableIntOf(text: string | undefined, what: string): number | null {
  if (text === '') return null;
  return intOf(text, what);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes to the base64 text stored in Redis. */
export function encodeSecret(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Stored base64 back to a fresh Uint8Array (never a Buffer that aliases a pool). */
function decodeSecret(text: string | undefined): Uint8Array {
  if (text === undefined || !BASE64.test(text) || text.length > Math.ceil(STORAGE_LIMITS.secretBytes / 3) * 4) {
    throw corrupt('enrolment secret');
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

const ENROLMENT_STATUS: readonly string[] = ['pending', 'active', 'revoked'];

/** An enrolment hash as an {@link EnrolmentRecord}; `wipeSecret` empties the secret. */
export function decodeEnrolment(id: string, f: Map<string, string>, wipeSecret = false): EnrolmentRecord {
  const status = f.get('s');
  const userId = f.get('u');
  if (status === undefined || !ENROLMENT_STATUS.includes(status) || userId === undefined) throw corrupt('enrolment');
  return {
    id,
    userId,
    status: status as EnrolmentStatus,
    secret: wipeSecret ? new Uint8Array(0) : decodeSecret(f.get('k')),
    meta: parseJsonObject(f.get('m'), 'meta'),
    createdAt: intOf(f.get('c'), 'enrolment createdAt'),
    expiresAt: intOf(f.get('x'), 'enrolment expiresAt'),
    activatedAt: nullableIntOf(f.get('a'), 'enrolment activatedAt'),
    revokedAt: nullableIntOf(f.get('r'), 'enrolment revokedAt'),
    version: intOf(f.get('v'), 'enrolment version'),
  };
}

/** A guard hash as an {@link OtpGuardState}. */
export function decodeGuard(enrolmentId: string, f: Map<string, string>): OtpGuardState {
  return {
    enrolmentId,
    lastStep: nullableIntOf(f.get('l') ?? '', 'guard lastStep'),
    failures: intOf(f.get('f') ?? '0', 'guard failures'),
    lockedUntil: nullableIntOf(f.get('k') ?? '', 'guard lockedUntil'),
    drift: nullableIntOf(f.get('d') ?? '', 'guard drift'),
    lastUsedAt: nullableIntOf(f.get('t') ?? '', 'guard lastUsedAt'),
  };
}

const CHALLENGE_STATUS: readonly string[] = ['pending', 'approved', 'denied', 'cancelled', 'expired'];

/**
 * A challenge hash as a {@link ChallengeRecord} read at `now`: a pending challenge at or past
 * its expiry reads `expired`, finalised at `expiresAt` (storage.md, section 6).
 */
export function decodeChallenge(id: string, f: Map<string, string>, now: number): ChallengeRecord {
  const status = f.get('s');
  const enrolmentId = f.get('e');
  const userId = f.get('u');
  if (status === undefined || !CHALLENGE_STATUS.includes(status) || enrolmentId === undefined || userId === undefined) {
    throw corrupt('challenge');
  }
  const expiresAt = intOf(f.get('x'), 'challenge expiresAt');
  const outcome = f.get('o');
  const expired = status === 'pending' && now >= expiresAt;
  return {
    id,
    enrolmentId,
    userId,
    status: expired ? 'expired' : (status as ChallengeRecord['status']),
    createdAt: intOf(f.get('c'), 'challenge createdAt'),
    expiresAt,
    finalizedAt: expired ? expiresAt : nullableIntOf(f.get('z'), 'challenge finalizedAt'),
    meta: parseJsonObject(f.get('m'), 'meta'),
    outcome: outcome === undefined || outcome === '' ? null : parseJsonObject(outcome, 'outcome'),
  };
}

const STREAM_ID = /^(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})$/;

/** A stream id `<ms>-<seq>` as numbers. */
export function parseStreamId(id: unknown): { at: number; seq: number } {
  const m = typeof id === 'string' ? STREAM_ID.exec(id) : null;
  const at = m ? Number(m[1]) : Number.NaN;
  const seq = m ? Number(m[2]) : Number.NaN;
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(seq)) throw corrupt('audit event id');
  return { at, seq };
}

/** A stream entry `[id, [field, value, ...]]` as an {@link AuditEvent}. */
export function decodeAuditEntry(entry: unknown): AuditEvent {
  if (!Array.isArray(entry) || entry.length !== 2) throw corrupt('audit event');
  const id = entry[0] as string;
  const { at } = parseStreamId(id);
  const f = fieldsOf(entry[1], 'audit event');
  const kind = f.get('k');
  if (kind === undefined) throw corrupt('audit event');
  return {
    id,
    at,
    kind,
    enrolmentId: f.get('e') ?? null,
    userId: f.get('u') ?? null,
    detail: parseJsonObject(f.get('d'), 'detail'),
  };
}
