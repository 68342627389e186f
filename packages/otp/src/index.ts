/** @module @cloudmfa/otp */
export { type CreateOtpKeyOptions, createOtpKey } from './createOtpKey.js';
export { type HotpOptions, hotp } from './hotp.js';
export { type ParseOtpauthUriOptions, parseOtpauthUri } from './parseOtpauthUri.js';
export { parseSecret } from './parseSecret.js';
export { type TotpOptions, totp } from './totp.js';
export { totpStep } from './totpStep.js';
export type {
  HotpVerifyResult,
  MigrationImport,
  OtpAlgorithm,
  OtpauthCommon,
  OtpauthInput,
  OtpauthParams,
  OtpErrorCode,
  OtpKey,
  OtpSecret,
  OtpWarning,
  OtpWarningCode,
  ParsedOtpauthUri,
  TotpVerifyResult,
} from './types.js';
