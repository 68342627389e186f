import { decodeBase64Url, encodeBase64Url, utf8Decode, utf8Encode } from '@cloudmfa/core';
import type { ServerContext } from '../internal/context.js';
import { serverError } from '../internal/errors.js';
import type { RotateAllKeysOptions, RotateAllKeysResult } from '../types.js';
import { rotateRecord } from './rotateKeys.js';
import { checkUserId } from './startActivation.js';

const CURSOR = /^v1\.([0-9]{1,15})\.([A-Za-z0-9_-]{0,400})$/;

function encodeCursor(position: number, userId: string): string {
  return `v1.${position}.${encodeBase64Url(utf8Encode(userId))}`;
}

function decodeCursor(cursor: string): { position: number; userId: string } {
  const m = typeof cursor === 'string' ? CURSOR.exec(cursor) : null;
  let userId: string | null = null;
  if (m) {
    try {
      userId = utf8Decode(decodeBase64Url(m[2] as string));
    } catch {
      userId = null;
    }
  }
  const position = m ? Number(m[1]) : 0;
  if (userId === null || position < 1) throw serverError('ERR_INVALID_ARGUMENT', '"cursor" expected a cursor from a rotateAllKeys progress report');
  return { position, userId };
}

/**
 * Re-wraps every enrolment of each user in `userIds` under the current KEK (docs/server.md
 * section 2, Rotation), resumably: after each user `onProgress` receives a `cursor` to
 * persist; called again with the same list and that cursor, the job resumes after that user.
 * A cursor that does not match the list (the user at its position differs, or the list is
 * shorter) throws `ERR_INVALID_ARGUMENT`. An `onProgress` that throws stops the job.
 */
export async function rotateAllKeys(ctx: ServerContext, { userIds, cursor = null, onProgress }: RotateAllKeysOptions): Promise<RotateAllKeysResult> {
  if (typeof userIds !== 'object' || userIds === null || !(Symbol.iterator in userIds || Symbol.asyncIterator in userIds)) {
    throw serverError('ERR_INVALID_ARGUMENT', '"userIds" expected an iterable or async iterable of user ids');
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw serverError('ERR_INVALID_ARGUMENT', '"onProgress" expected a function');
  const resume = cursor === null ? null : decodeCursor(cursor);
  const result: RotateAllKeysResult = { examined: 0, rewrapped: 0, current: 0, failed: 0, users: 0, cursor };
  let position = 0;
  for await (const userId of userIds) {
    position++;
    if (resume && position <= resume.position) {
      if (position === resume.position && userId !== resume.userId) {
        throw serverError('ERR_INVALID_ARGUMENT', '"cursor" does not match "userIds" (the list changed or is in another order)');
      }
      continue;
    }
    checkUserId(userId);
    for (const rec of await ctx.store.enrolments.listByUser(userId, { limit: 1000 })) {
      result.examined++;
      result[await rotateRecord(ctx, rec)]++;
    }
    result.users++;
    result.cursor = encodeCursor(position, userId);
    if (onProgress) await onProgress({ ...result, cursor: result.cursor });
  }
  if (resume && position < resume.position) throw serverError('ERR_INVALID_ARGUMENT', '"cursor" does not match "userIds" (the list is shorter)');
  return result;
}
