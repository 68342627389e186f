// Row decoding of the SQLite stores (@cloudmfa/storage-sqlite and @cloudmfa/storage-d1): a row
// that does not decode is ERR_STORAGE_CORRUPT, never a crash. better-sqlite3 returns a BLOB as a
// Buffer, D1 as an array of byte values.
import { type AuditEvent, type ChallengeRecord, type EnrolmentRecord, type OtpGuardState } from '@cloudmfa/storage';
import { parseJsonObject, storageError } from '@cloudmfa/storage/adapter';

export type Row = Record<string, unknown>;

const ENROLMENT_STATUSES = new Set(['pending', 'active', 'revoked']);
const CHALLENGE_STATUSES = new Set(['pending', 'approved', 'denied', 'cancelled', 'expired']);

const corrupt = (what: string) => storageError('ERR_STORAGE_CORRUPT', `a stored ${what} row does not decode`);
const int = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw corrupt(what);
  return v;
};
const intOrNull = (v: unknown, what: string): number | null => (v === null ? null : int(v, what));

function blob(v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (v instanceof ArrayBuffer) return new Uint8Array(v.slice(0));
  if (Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Uint8Array.from(v as number[]);
  throw corrupt(what);
}

export function toEnrolment(r: Row, wipeSecret = false): EnrolmentRecord {
  if (typeof r.id !== 'string' || typeof r.user_id !== 'string' || !ENROLMENT_STATUSES.has(r.status as string)) throw corrupt('enrolment');
  const secret = blob(r.secret, 'enrolment');
  if (wipeSecret) secret.fill(0);
  return {
    id: r.id,
    userId: r.user_id,
    status: r.status as EnrolmentRecord['status'],
    secret: wipeSecret ? new Uint8Array(0) : secret,
    meta: parseJsonObject(r.meta, 'meta'),
    createdAt: int(r.created_at, 'enrolment'),
    expiresAt: int(r.expires_at, 'enrolment'),
    activatedAt: intOrNull(r.activated_at, 'enrolment'),
    revokedAt: intOrNull(r.revoked_at, 'enrolment'),
    version: int(r.version, 'enrolment'),
  };
}

export function toGuard(r: Row | undefined): OtpGuardState {
  if (!r || typeof r.enrolment_id !== 'string') throw corrupt('guard');
  return {
    enrolmentId: r.enrolment_id,
    lastStep: intOrNull(r.last_step, 'guard'),
    failures: int(r.failures, 'guard'),
    lockedUntil: intOrNull(r.locked_until, 'guard'),
    drift: intOrNull(r.drift, 'guard'),
    lastUsedAt: intOrNull(r.last_used_at, 'guard'),
  };
}

export function toChallenge(r: Row, now: number): ChallengeRecord {
  if (typeof r.id !== 'string' || typeof r.enrolment_id !== 'string' || typeof r.user_id !== 'string') throw corrupt('challenge');
  if (!CHALLENGE_STATUSES.has(r.status as string)) throw corrupt('challenge');
  const expiresAt = int(r.expires_at, 'challenge');
  const expired = r.status === 'pending' && now >= expiresAt;
  return {
    id: r.id,
    enrolmentId: r.enrolment_id,
    userId: r.user_id,
    status: expired ? 'expired' : (r.status as ChallengeRecord['status']),
    createdAt: int(r.created_at, 'challenge'),
    expiresAt,
    finalizedAt: expired ? expiresAt : intOrNull(r.finalized_at, 'challenge'),
    meta: parseJsonObject(r.meta, 'meta'),
    outcome: r.outcome === null ? null : parseJsonObject(r.outcome, 'outcome'),
  };
}

export function toEvent(r: Row): AuditEvent {
  if (typeof r.kind !== 'string') throw corrupt('audit');
  const e = r.enrolment_id;
  const u = r.user_id;
  if ((e !== null && typeof e !== 'string') || (u !== null && typeof u !== 'string')) throw corrupt('audit');
  return {
    id: String(int(r.seq, 'audit')),
    at: int(r.at, 'audit'),
    kind: r.kind,
    enrolmentId: e as string | null,
    userId: u as string | null,
    detail: parseJsonObject(r.detail, 'detail'),
  };
}
