// Google Authenticator MigrationPayload field numbers (the published OtpParameters and
// MigrationPayload messages; docs/otp.md section 5), limits, and the data parameter's base64
// decoder: what the importer needs. The exporter's enums, encoder and writer are in
// _migrationWriter.ts, so the phone's `@cloudmfa/otp/migration` does not carry them.
import { decodeBase64Url, isCloudMfaError } from '@cloudmfa/core';
import { fail } from './_common.js';

export const PAYLOAD = { otpParameters: 1, version: 2, batchSize: 3, batchIndex: 4, batchId: 5 } as const;
export const PARAMS = { secret: 1, name: 2, issuer: 3, algorithm: 4, digits: 5, type: 6, counter: 7 } as const;

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
