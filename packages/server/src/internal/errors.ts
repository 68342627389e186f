import { CloudMfaError } from '@cloudmfa/core';
import type { ServerErrorCode } from '../errors.js';

/** A server error. Messages name fields and bounds, never values. */
export function serverError(code: ServerErrorCode | 'ERR_INVALID_ARGUMENT', message: string): CloudMfaError {
  return new CloudMfaError(code, message);
}

/** The one message of a secret that does not open: deliberately uninformative. */
export const DECRYPT_MESSAGE = 'a stored secret could not be opened';
