import { CloudMfaError } from '@cloudmfa/core';
import type { EmailErrorCode } from '../errors.js';

/** A typed error of this package; `cause` only when it carries no secret. */
export function emailError(code: EmailErrorCode | 'ERR_INVALID_ARGUMENT', message: string, cause?: unknown): CloudMfaError<EmailErrorCode | 'ERR_INVALID_ARGUMENT'> {
  return new CloudMfaError(code, message, cause === undefined ? undefined : { cause });
}

/** What of a transport's error is safe to keep: its code and SMTP reply code, never its text. */
export function scrubbed(e: unknown): { code?: string; responseCode?: number } {
  const out: { code?: string; responseCode?: number } = {};
  if (typeof e === 'object' && e !== null) {
    const { code, responseCode } = e as { code?: unknown; responseCode?: unknown };
    if (typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code)) out.code = code;
    if (typeof responseCode === 'number' && Number.isInteger(responseCode)) out.responseCode = responseCode;
  }
  return out;
}
