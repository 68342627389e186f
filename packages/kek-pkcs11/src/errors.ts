import { CloudMfaError } from '@cloudmfa/core';

/**
 * Stable codes `@cloudmfa/kek-pkcs11` adds: `ERR_PKCS11_CONFIG` when the library, token, PIN or
 * a key is not as configured (or a KEK is extractable). At run time it throws the server's
 * `ERR_KEK_UNAVAILABLE`, `ERR_SERVER_DECRYPT`, `ERR_SERVER_KEY_UNKNOWN` (docs/kek-pkcs11.md) and
 * core's `ERR_SIGNER_FAILED`.
 *
 * @example
 * ```ts
 * try { openPkcs11Token(options); } catch (e) { if (isCloudMfaError(e, 'ERR_PKCS11_CONFIG')) exitWithHelp(e.message); }
 * ```
 */
export type Pkcs11ErrorCode = 'ERR_PKCS11_CONFIG';

/** The PKCS#11 return value name (`CKR_...`) of a pkcs11js error, never more of it. */
export function ckr(e: unknown): string {
  const m = typeof (e as { message?: unknown })?.message === 'string' ? /^CKR_[A-Z_]+/.exec((e as { message: string }).message) : null;
  return m ? m[0] : 'an error';
}

export function configError(message: string): CloudMfaError {
  return new CloudMfaError('ERR_PKCS11_CONFIG', message);
}
