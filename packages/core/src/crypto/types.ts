// The parameter types of the crypto seam, apart from provider.ts so that checks.ts (which
// provider.ts imports) can use them without an import cycle.

/**
 * Hash functions the SDK uses. SHA1 only exists for HOTP/TOTP compatibility.
 *
 * @example
 * ```ts
 * const algorithm: HashAlgorithm = 'SHA256';
 * ```
 */
export type HashAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/**
 * scrypt cost parameters (RFC 7914). `N` must be a power of two. Providers refuse more than
 * 1 GiB of memory (128·r·(N+p+1) bytes), N·r·p above 2^26 and dkLen above 1024.
 *
 * @example
 * ```ts
 * const params: ScryptParams = { N: 2 ** 15, r: 8, p: 1, dkLen: 32 };
 * ```
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  dkLen: number;
}

/**
 * PBKDF2-HMAC-SHA256 parameters. Providers refuse more than 2^24 iterations and dkLen above 1024.
 *
 * @example
 * ```ts
 * const params: Pbkdf2Params = { iterations: 600_000, dkLen: 32 };
 * ```
 */
export interface Pbkdf2Params {
  iterations: number;
  dkLen: number;
}
