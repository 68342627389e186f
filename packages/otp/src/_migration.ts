// Google Authenticator MigrationPayload field numbers and enum values (the published
// OtpParameters/MigrationPayload messages). See docs/otp.md section 5.
export const PAYLOAD = { otpParameters: 1, version: 2, batchSize: 3, batchIndex: 4, batchId: 5 } as const;
export const PARAMS = { secret: 1, name: 2, issuer: 3, algorithm: 4, digits: 5, type: 6, counter: 7 } as const;

/** Algorithm enum: 0 UNSPECIFIED, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5. */
export const ALGORITHM_ENUM = { SHA1: 1, SHA256: 2, SHA512: 3 } as const;
export const ALGORITHM_MD5 = 4;
/** DigitCount enum: 0 UNSPECIFIED, 1 SIX, 2 EIGHT. */
export const DIGITS_ENUM: Record<number, number> = { 6: 1, 8: 2 };
/** OtpType enum: 0 UNSPECIFIED, 1 HOTP, 2 TOTP. */
export const TYPE_ENUM = { hotp: 1, totp: 2 } as const;

export const MIGRATION_PREFIX = 'otpauth-migration://offline?';
export const MAX_MIGRATION_URI = 16384;
export const MAX_PAYLOAD_BYTES = 12288;
export const MAX_BATCH_SIZE = 1000;
/** Google has no period field: every TOTP it carries is 30 s. */
export const MIGRATION_PERIOD = 30;
