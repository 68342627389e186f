import { storageError } from './errors.js';
import { STORAGE_LIMITS } from './limits.js';

/**
 * The position an audit page ends at: the last event's time and its insertion sequence.
 *
 * @example
 * ```ts
 * const pos: AuditCursorPosition = decodeAuditCursor('1767225600000.42'); // { at: 1767225600000, seq: 42 }
 * ```
 */
export interface AuditCursorPosition {
  at: number;
  seq: number;
}

/**
 * Encodes an audit cursor as `<at>.<seq>` (decimal). Adapters that order events by
 * `(at desc, seq desc)` with an integer insertion sequence share this format.
 *
 * @example
 * ```ts
 * const cursor = encodeAuditCursor({ at: last.at, seq: Number(last.id) });
 * ```
 */
export function encodeAuditCursor(position: AuditCursorPosition): string {
  return `${position.at}.${position.seq}`;
}

/**
 * Decodes a cursor made by {@link encodeAuditCursor}; `ERR_STORAGE_INVALID` when malformed.
 *
 * @example
 * ```ts
 * const { at, seq } = decodeAuditCursor(query.cursor);
 * ```
 */
export function decodeAuditCursor(cursor: unknown): AuditCursorPosition {
  if (typeof cursor !== 'string' || cursor.length > STORAGE_LIMITS.cursorLength) {
    throw storageError('ERR_STORAGE_INVALID', '"cursor" expected a cursor string from a previous page');
  }
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(cursor);
  const at = m ? Number(m[1]) : NaN;
  const seq = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(at) || at > STORAGE_LIMITS.maxTime || !Number.isSafeInteger(seq)) {
    throw storageError('ERR_STORAGE_INVALID', '"cursor" expected a cursor string from a previous page');
  }
  return { at, seq };
}
