// Rules shared by the otpauth:// parser, the formatter and the migration codec.
import { isCloudMfaError } from '@cloudmfa/core';
import { algIndex, checkInt, fail, MAX_COUNTER, MAX_PERIOD, secretBytes, secretPolicy, warn } from './_common.js';
import type { OtpauthInput, OtpErrorCode, OtpWarning } from './types.js';

export const MAX_URI = 4096;
export const MAX_TEXT = 256;
export const MAX_PARAMS = 32;
/** The parameters the parser interprets and the formatter writes, less the other type's one. */
export const KNOWN = ['secret', 'issuer', 'algorithm', 'digits', 'period', 'counter'];
/** The known parameter that does not belong to `type` (kept as an extra parameter if present). */
export const otherType = (type: string): string => (type === 'totp' ? 'counter' : 'period');

/**
 * Secret from bytes or base32 with every failure under one caller-chosen code; its warnings are
 * added to `warnings`.
 */
export function secretWithCode(secret: unknown, code: OtpErrorCode, warnings: OtpWarning[] = []): { bytes: Uint8Array; warnings: OtpWarning[] } {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(secretBytes(secret, code));
  } catch (err) {
    // secretBytes's own errors already carry `code`. Core's base32 message names the problem
    // and position, never the secret: safe to keep, with the error as the cause.
    if (!isCloudMfaError(err, 'ERR_BASE32_INVALID')) throw err;
    return fail(code, err.message, err);
  }
  return { bytes, warnings: secretPolicy(bytes, code, warnings) };
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

/**
 * The field checks that formatOtpauthUri and parseOtpauthUri share, so that what one accepts the
 * other does too: secret, account, issuer and label issuer, algorithm, digits, and period or
 * counter (defaults: SHA1, 6, 30). Adds SECRET_SHORT, ISSUER_MISMATCH and ISSUER_MISSING to
 * `warnings`; returns a copy of the secret's bytes.
 */
export function checkOtpauth(p: OtpauthInput, warnings: OtpWarning[]): Uint8Array {
  const { issuer, labelIssuer } = p;
  const secret = secretWithCode(p.secret, 'ERR_OTPAUTH_SECRET', warnings);
  // Leading spaces of an account are not significant in a label: they would not round-trip.
  if (checkText(p.account, 'account', 'ERR_OTPAUTH_LABEL')[0] === ' ') fail('ERR_OTPAUTH_LABEL', '"account" must not start with a space');
  if (issuer !== undefined) checkText(issuer, 'issuer', 'ERR_OTPAUTH_ISSUER');
  if (labelIssuer !== undefined) {
    checkText(labelIssuer, 'labelIssuer', 'ERR_OTPAUTH_LABEL');
    if (issuer === undefined) fail('ERR_OTPAUTH_ISSUER', '"labelIssuer" needs "issuer"');
    if (labelIssuer !== issuer) warn(warnings, 'ISSUER_MISMATCH', 'label prefix differs from issuer');
  }
  if (issuer === undefined) warn(warnings, 'ISSUER_MISSING', 'no issuer');
  algIndex(p.algorithm ?? 'SHA1', 'ERR_OTPAUTH_ALGORITHM');
  checkInt(p.digits ?? 6, 'digits', 6, 10, 'ERR_OTPAUTH_DIGITS');
  if (p.type === 'totp') checkInt(p.period ?? 30, 'period', 1, MAX_PERIOD, 'ERR_OTPAUTH_PERIOD');
  else checkInt(p.counter, 'counter', 0, MAX_COUNTER, 'ERR_OTPAUTH_COUNTER');
  return secret.bytes;
}
