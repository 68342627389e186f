// Rules shared by the otpauth:// parser, the formatter and the migration codec.
import { isCloudMfaError } from '@cloudmfa/core';
import { fail, secretBytes, secretPolicy, warning } from './_common.js';
import { hasControl } from './_uri.js';
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
    if (isCloudMfaError(err, 'ERR_BASE32_INVALID')) fail(code, (err as Error).message, err);
    throw err;
  }
  return { bytes, warnings: secretPolicy(bytes, code) };
}

/** Issuer/account text: 1..256 characters, no control characters. */
export function checkText(text: unknown, title: string, code: OtpErrorCode): string {
  if (typeof text !== 'string') return fail(code, `"${title}" expected a string`);
  if (text.length === 0) fail(code, `"${title}" is empty`);
  if (text.length > MAX_TEXT) fail(code, `"${title}" is longer than ${MAX_TEXT} characters`);
  if (hasControl(text)) fail(code, `"${title}" contains a control character`);
  return text;
}

export const issuerMissing = (): OtpWarning =>
  warning('ISSUER_MISSING', 'no issuer: authenticator apps will show the account alone (Google recommends an issuer)');
