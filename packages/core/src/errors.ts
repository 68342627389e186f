/**
 * Stable error codes thrown by `@cloudmfa/core`. Other packages add their own codes; every
 * code is a string constant that never changes meaning once released. Test against `code`,
 * never against `message`. The table of meanings is in `docs/core.md`.
 *
 * @example
 * ```ts
 * const code: CoreErrorCode = 'ERR_BASE32_INVALID';
 * ```
 */
export type CoreErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_BASE32_INVALID'
  | 'ERR_BASE64URL_INVALID'
  | 'ERR_BASE45_INVALID'
  | 'ERR_UTF8_INVALID'
  | 'ERR_NO_RANDOM_SOURCE'
  | 'ERR_SIGNATURE_FORMAT'
  | 'ERR_SIGNER_FAILED'
  | 'ERR_CRYPTO_UNSUPPORTED'
  | 'ERR_CRYPTO_PROVIDER';

/**
 * Every stable code a `CloudMfaError` thrown by any `@cloudmfa/*` package can carry: core's
 * own and each package's (`OtpErrorCode`, `ActivationErrorCode`, `PushErrorCode`,
 * `StorageErrorCode`, `ServerErrorCode`, `EmailErrorCode`, the CLI's). `isCloudMfaError(err, code)` takes only
 * these, so a misspelt code does not compile. A package that adds a code adds it here too
 * (a type test checks that both lists agree).
 *
 * @example
 * ```ts
 * const code: CloudMfaErrorCode = 'ERR_OTPAUTH_SECRET';
 * ```
 */
export type CloudMfaErrorCode =
  | CoreErrorCode
  // @cloudmfa/otp (`OtpErrorCode`)
  | 'ERR_OTP_SECRET'
  | 'ERR_OTP_ALGORITHM'
  | 'ERR_OTP_DIGITS'
  | 'ERR_OTP_COUNTER'
  | 'ERR_OTP_PERIOD'
  | 'ERR_OTP_T0'
  | 'ERR_OTP_TIME'
  | 'ERR_OTP_WINDOW'
  | 'ERR_OTP_AFTER_STEP'
  | 'ERR_OTP_CODES'
  | 'ERR_OTP_CRYPTO'
  | 'ERR_OTPAUTH_TOO_LONG'
  | 'ERR_OTPAUTH_SCHEME'
  | 'ERR_OTPAUTH_TYPE'
  | 'ERR_OTPAUTH_ENCODING'
  | 'ERR_OTPAUTH_LABEL'
  | 'ERR_OTPAUTH_ISSUER'
  | 'ERR_OTPAUTH_ISSUER_MISMATCH'
  | 'ERR_OTPAUTH_PARAMETER'
  | 'ERR_OTPAUTH_SECRET'
  | 'ERR_OTPAUTH_ALGORITHM'
  | 'ERR_OTPAUTH_DIGITS'
  | 'ERR_OTPAUTH_PERIOD'
  | 'ERR_OTPAUTH_COUNTER'
  | 'ERR_MIGRATION_SCHEME'
  | 'ERR_MIGRATION_DATA'
  | 'ERR_MIGRATION_TOO_LARGE'
  | 'ERR_MIGRATION_VARINT'
  | 'ERR_MIGRATION_PROTOBUF'
  | 'ERR_MIGRATION_SECRET'
  | 'ERR_MIGRATION_NAME'
  | 'ERR_MIGRATION_ALGORITHM'
  | 'ERR_MIGRATION_DIGITS'
  | 'ERR_MIGRATION_TYPE'
  | 'ERR_MIGRATION_COUNTER'
  | 'ERR_MIGRATION_PERIOD'
  | 'ERR_MIGRATION_BATCH'
  // @cloudmfa/activation (`ActivationErrorCode`)
  | 'ERR_ENVELOPE_MALFORMED'
  | 'ERR_ENVELOPE_TOO_LARGE'
  | 'ERR_ENVELOPE_VERSION'
  | 'ERR_ENVELOPE_KDF_COST'
  | 'ERR_ENVELOPE_EXPIRED'
  | 'ERR_ENVELOPE_KDF_FAILED'
  | 'ERR_ENVELOPE_DECRYPT'
  | 'ERR_REDEMPTION_MALFORMED'
  | 'ERR_REDEMPTION_DECRYPT'
  | 'ERR_REDEMPTION_MISMATCH'
  // @cloudmfa/push (`PushErrorCode`)
  | 'ERR_PUSH_CONTEXT_TOO_LARGE'
  | 'ERR_PUSH_CONTEXT_INVALID'
  | 'ERR_PUSH_PAYLOAD_TOO_LARGE'
  | 'ERR_PUSH_CHALLENGE_UNVERIFIED'
  | 'ERR_PUSH_NUMBER_FORMAT'
  | 'ERR_PUSH_SIGN_FAILED'
  // @cloudmfa/storage and its adapters (`StorageErrorCode`)
  | 'ERR_STORAGE_INVALID'
  | 'ERR_STORAGE_CONFLICT'
  | 'ERR_STORAGE_UNAVAILABLE'
  | 'ERR_STORAGE_CORRUPT'
  // @cloudmfa/server (`ServerErrorCode`)
  | 'ERR_SERVER_CONFIG'
  | 'ERR_SERVER_POLICY'
  | 'ERR_SERVER_DECRYPT'
  | 'ERR_SERVER_KEY_UNKNOWN'
  | 'ERR_SERVER_CORRUPT'
  | 'ERR_KEK_UNAVAILABLE'
  | 'ERR_KEY_FILE_ACCESS'
  | 'ERR_KEY_FILE_INVALID'
  | 'ERR_ORGANISATION_NOT_FOUND'
  | 'ERR_ORGANISATION_CONFLICT'
  // @cloudmfa/kek-pkcs11 (`Pkcs11ErrorCode`)
  | 'ERR_PKCS11_CONFIG'
  // @cloudmfa/client (`ClientErrorCode`, `VaultErrorCode`, `BackupErrorCode`)
  | 'ERR_CLIENT_NOT_FOUND'
  | 'ERR_CLIENT_STATE'
  | 'ERR_CLIENT_CONTENTS'
  | 'ERR_CLIENT_INDEX'
  | 'ERR_VAULT_LOCKED'
  | 'ERR_VAULT_STATE'
  | 'ERR_VAULT_WIPED'
  | 'ERR_VAULT_DAMAGED'
  | 'ERR_VAULT_VERSION'
  | 'ERR_VAULT_KDF_COST'
  | 'ERR_VAULT_KDF_FAILED'
  | 'ERR_VAULT_STORE'
  | 'ERR_VAULT_TOO_LARGE'
  | 'ERR_BACKUP_FORMAT'
  | 'ERR_BACKUP_VERSION'
  | 'ERR_BACKUP_DAMAGED'
  | 'ERR_BACKUP_PASSWORD'
  | 'ERR_BACKUP_PASSWORD_REQUIRED'
  | 'ERR_BACKUP_KDF_COST'
  | 'ERR_BACKUP_KDF_FAILED'
  | 'ERR_BACKUP_TOO_LARGE'
  // @cloudmfa/email (`EmailErrorCode`)
  | 'ERR_EMAIL_MESSAGES'
  | 'ERR_EMAIL_SEND'
  // @cloudmfa/cli
  | 'ERR_CLI_USAGE'
  | 'ERR_CLI_INPUT'
  | 'ERR_CLI_OUTPUT'
  | 'ERR_CLI_JSON';

/**
 * The one error class of the CloudMFA SDK. Misuse by the calling developer and malformed
 * input at a trust boundary throw it; user typing errors on verify paths never do (they return
 * a typed result instead).
 *
 * Messages never contain secrets, passwords, seeds or plaintext. Pass a `cause` only when it
 * cannot carry such material. `cause` is set on the instance even where the runtime's `Error`
 * ignores the ES2022 option (older Hermes).
 *
 * @example
 * ```ts
 * try {
 *   decodeBase32(input);
 * } catch (err) {
 *   if (err instanceof CloudMfaError && err.code === 'ERR_BASE32_INVALID') showHint();
 * }
 * throw new CloudMfaError('ERR_ENVELOPE_DECRYPT', 'the envelope could not be opened');
 * ```
 */
export class CloudMfaError<C extends string = string> extends Error {
  /** Stable machine-readable code, e.g. `ERR_ENVELOPE_DECRYPT`. */
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'CloudMfaError';
    if (options?.cause !== undefined && (this as { cause?: unknown }).cause !== options.cause) {
      Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true, enumerable: false });
    }
  }
}

/**
 * True when `err` is a {@link CloudMfaError}, optionally with the given code.
 * Works across bundled copies of the SDK, where `instanceof` may not.
 *
 * @example
 * ```ts
 * if (isCloudMfaError(err, 'ERR_OTPAUTH_SECRET')) askForTheSecretAgain();
 * ```
 */
export function isCloudMfaError<C extends CloudMfaErrorCode = CloudMfaErrorCode>(err: unknown, code?: C): err is CloudMfaError<C> {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  if (e.name !== 'CloudMfaError' || typeof e.code !== 'string') return false;
  return code === undefined || e.code === code;
}
