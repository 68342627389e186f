import { type AuditEvent, type PendingAuditEntry, type ChallengeRecord, type EnrolmentRecord, type OtpGuardState } from '@cloudmfa/storage';
import { parseJsonObject, storageError } from '@cloudmfa/storage/adapter';
import type { Row } from './_pg.js';

// Decoders from the server's text output to records. Anything unexpected is
// ERR_STORAGE_CORRUPT (a tampered row, a schema from another version); messages name the
// column, never its value.

const corrupt = (column: string) => storageError('ERR_STORAGE_CORRUPT', `stored "${column}" has an unexpected value`);

const INT_RE = /^-?\d{1,16}$/;
const HEX_RE = /^(?:[0-9a-f]{2})*$/;

export function int(row: Row, column: string): number {
  const v = row[column];
  const n = typeof v === 'string' && INT_RE.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw corrupt(column);
  return n;
}

function intOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : int(row, column);
}

export function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw corrupt(column);
  return v;
}

/** `encode(col, 'hex')` output to a fresh Uint8Array. */
function bytes(row: Row, column: string): Uint8Array {
  const v = row[column];
  if (typeof v !== 'string' || !HEX_RE.test(v)) throw corrupt(column);
  return new Uint8Array(Buffer.from(v, 'hex'));
}

function oneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const v = text(row, column);
  if (!(allowed as readonly string[]).includes(v)) throw corrupt(column);
  return v as T;
}

const ENROLMENT_STATUSES = ['pending', 'active', 'revoked'] as const;
const CHALLENGE_STATUSES = ['pending', 'approved', 'denied', 'cancelled', 'expired'] as const;

export function toEnrolment(row: Row): EnrolmentRecord {
  return {
    id: text(row, 'id'),
    userId: text(row, 'user_id'),
    status: oneOf(row, 'status', ENROLMENT_STATUSES),
    secret: bytes(row, 'secret'),
    meta: parseJsonObject(row.meta, 'meta'),
    createdAt: int(row, 'created_at'),
    expiresAt: int(row, 'expires_at'),
    activatedAt: intOrNull(row, 'activated_at'),
    revokedAt: intOrNull(row, 'revoked_at'),
    version: int(row, 'version'),
  };
}

export function toGuard(row: Row): OtpGuardState {
  return {
    enrolmentId: text(row, 'enrolment_id'),
    lastStep: intOrNull(row, 'last_step'),
    failures: int(row, 'failures'),
    lockedUntil: intOrNull(row, 'locked_until'),
    drift: intOrNull(row, 'drift'),
    lastUsedAt: intOrNull(row, 'last_used_at'),
  };
}

/** A challenge as read at `now`: a pending one at or past `expiresAt` reads `expired`. */
export function toChallenge(row: Row, now: number): ChallengeRecord {
  const stored = oneOf(row, 'status', CHALLENGE_STATUSES);
  const expiresAt = int(row, 'expires_at');
  const expired = stored === 'pending' && now >= expiresAt;
  return {
    id: text(row, 'id'),
    enrolmentId: text(row, 'enrolment_id'),
    userId: text(row, 'user_id'),
    status: expired ? 'expired' : stored,
    createdAt: int(row, 'created_at'),
    expiresAt,
    finalizedAt: expired ? expiresAt : intOrNull(row, 'finalized_at'),
    meta: parseJsonObject(row.meta, 'meta'),
    outcome: row.outcome === null ? null : parseJsonObject(row.outcome, 'outcome'),
  };
}

export function toPending(row: Row): PendingAuditEntry {
  return {
    key: text(row, 'entry_key'),
    kind: text(row, 'kind'),
    enrolmentId: text(row, 'enrolment_id'),
    userId: row.user_id ?? null,
    detail: parseJsonObject(row.detail, 'detail'),
    at: int(row, 'at'),
  };
}

export function toEvent(row: Row): AuditEvent {
  return {
    id: String(int(row, 'seq')),
    at: int(row, 'at'),
    kind: text(row, 'kind'),
    enrolmentId: row.enrolment_id ?? null,
    userId: row.user_id ?? null,
    detail: parseJsonObject(row.detail, 'detail'),
  };
}
