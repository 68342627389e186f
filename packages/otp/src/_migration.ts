// Google Authenticator MigrationPayload field numbers (the published OtpParameters and
// MigrationPayload messages; docs/otp.md section 5), limits, and the data parameter's base64.
import { decodeBase64Url, encodeBase64Url, isCloudMfaError } from '@cloudmfa/core';
import { fail } from './_common.js';

export const PAYLOAD = { otpParameters: 1, version: 2, batchSize: 3, batchIndex: 4, batchId: 5 } as const;
export const PARAMS = { secret: 1, name: 2, issuer: 3, algorithm: 4, digits: 5, type: 6, counter: 7 } as const;
/** Algorithm enum: 0 UNSPECIFIED (read as SHA1), 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5 (refused). */
export const ALGORITHM_ENUM = { SHA1: 1, SHA256: 2, SHA512: 3 } as const;
/** DigitCount enum: 0 UNSPECIFIED (read as 6), 1 SIX, 2 EIGHT. OtpType: 1 HOTP, 2 TOTP. */
export const DIGITS_ENUM: Record<number, number> = { 6: 1, 8: 2 };

export const MIGRATION_PREFIX = 'otpauth-migration://offline?data=';
export const MAX_MIGRATION_URI = 16384;
export const MAX_PAYLOAD_BYTES = 12288;
export const MAX_BATCH_SIZE = 1000;
/** Google has no period field: every TOTP it carries is 30 s. */
export const MIGRATION_PERIOD = 30;

/**
 * Standard base64 (RFC 4648 section 4), as Google writes `data`, through core's strict
 * base64url codec: '+' and '/' are mapped, padding is checked here. The URL-safe alphabet and
 * missing padding are accepted on import.
 */
export function decodeBase64(text: string): Uint8Array {
  const body = text.replace(/={1,2}$/, '');
  if (body !== text && text.length % 4) fail('ERR_MIGRATION_DATA', 'malformed base64 padding');
  try {
    return decodeBase64Url(body.replace(/\+/g, '-').replace(/\//g, '_'), 'data');
  } catch (err) {
    return isCloudMfaError(err) ? fail('ERR_MIGRATION_DATA', (err as Error).message, err) : fail('ERR_MIGRATION_DATA', 'bad base64');
  }
}

export function encodeBase64(bytes: Uint8Array): string {
  const t = encodeBase64Url(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return t + '='.repeat((4 - (t.length % 4)) % 4);
}
