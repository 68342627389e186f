// Rules shared by the otpauth:// parser, the formatter and the migration codec.
import { isCloudMfaError } from '@cloudmfa/core';
import { fail, secretBytes, secretPolicy } from './_common.js';
import type { OtpErrorCode, OtpWarning } from './types.js';

export const MAX_URI = 4096;
export const MAX_TEXT = 256;
export const MAX_PARAMS = 32;

/** Secret from bytes or base32 with every failure under one caller-chosen code. */
export function secretWithCode(secret: unknown, code: OtpErrorCode): { bytes: Uint8Array; warnings: OtpWarning[] } {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(secretBytes(secret, code));
  } catch (err) {
    // Core's base32 message names the problem and position, never the secret: safe to keep.
    return isCloudMfaError(err, 'ERR_BASE32_INVALID') ? fail(code, (err as Error).message, err) : fail(code, (err as Error).message);
  }
  return { bytes, warnings: secretPolicy(bytes, code) };
}

/** Issuer/account text: 1..256 characters, no C0/C1 control characters, no lone surrogates. */
export function checkText(text: unknown, title: string, code: OtpErrorCode): string {
  let ok = typeof text === 'string' && text.length > 0 && text.length <= MAX_TEXT && !/[\u0000-\u001f\u007f-\u009f]/.test(text);
  try {
    encodeURIComponent(text as string); // throws on a lone surrogate
  } catch {
    ok = false;
  }
  return ok ? (text as string) : fail(code, `"${title}" expected 1 to ${MAX_TEXT} characters, no control characters`);
}
