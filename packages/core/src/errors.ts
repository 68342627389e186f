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
export function isCloudMfaError(err: unknown, code?: string): err is CloudMfaError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  if (e.name !== 'CloudMfaError' || typeof e.code !== 'string') return false;
  return code === undefined || e.code === code;
}
