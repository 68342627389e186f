import { CloudMfaError } from '@cloudmfa/core';

/**
 * Stable error codes of the storage layer, shared by every adapter. Test against `code`,
 * never against `message`.
 *
 * - `ERR_STORAGE_INVALID`: an argument is malformed or out of bounds.
 * - `ERR_STORAGE_CONFLICT`: `create` with an id that already exists; nothing was overwritten.
 * - `ERR_STORAGE_UNAVAILABLE`: the store is closed or its backend failed; nothing was
 *   half-applied.
 * - `ERR_STORAGE_CORRUPT`: a stored value cannot be decoded (newer schema, tampered row).
 *
 * @example
 * ```ts
 * if (isCloudMfaError(err, 'ERR_STORAGE_CONFLICT' satisfies StorageErrorCode)) pickAnotherId();
 * ```
 */
export type StorageErrorCode =
  | 'ERR_STORAGE_INVALID'
  | 'ERR_STORAGE_CONFLICT'
  | 'ERR_STORAGE_UNAVAILABLE'
  | 'ERR_STORAGE_CORRUPT';

/**
 * Builds a storage error. For adapter authors: pass a driver error as `cause` only through
 * {@link scrubCause}, which keeps its class name and code but drops messages that may quote
 * SQL parameters or values.
 *
 * @example
 * ```ts
 * if (exists) throw storageError('ERR_STORAGE_CONFLICT', 'enrolment id already exists');
 * ```
 */
export function storageError(code: StorageErrorCode, message: string, cause?: unknown): CloudMfaError<StorageErrorCode> {
  return new CloudMfaError(code, message, cause === undefined ? undefined : { cause: scrubCause(cause) });
}

/**
 * Reduces a driver error to `{ name, code }`: driver messages can quote the statement's
 * parameters (a secret, a user id), so they never travel further.
 *
 * @example
 * ```ts
 * try { stmt.run(args); } catch (e) { throw storageError('ERR_STORAGE_UNAVAILABLE', 'sqlite write failed', e); }
 * // err.cause is { name: 'SqliteError', code: 'SQLITE_BUSY' }
 * ```
 */
export function scrubCause(cause: unknown): { name: string; code?: string } {
  if (typeof cause === 'object' && cause !== null) {
    const c = cause as { name?: unknown; code?: unknown; constructor?: { name?: unknown } };
    const name = typeof c.name === 'string' ? c.name : typeof c.constructor?.name === 'string' ? c.constructor.name : 'Error';
    return typeof c.code === 'string' ? { name, code: c.code } : { name };
  }
  return { name: typeof cause };
}
