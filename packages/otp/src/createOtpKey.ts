import type { CryptoProvider } from '@cloudmfa/core';
import { ALGORITHMS, algIndex, checkOptions, fail, makeKey, secretBytes, secretPolicy } from './_common.js';
import { truncateBytes } from './_hmac.js';
import { type AlgIndex, DIGEST_BYTES } from '@cloudmfa/core/sha';
import type { OtpAlgorithm, OtpKey } from './types.js';

/**
 * Options of {@link createOtpKey}.
 *
 * @example
 * ```ts
 * const options: CreateOtpKeyOptions = { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', algorithm: 'SHA256' };
 * ```
 */
export interface CreateOtpKeyOptions {
  /** The shared secret: bytes, or base32 text. */
  secret: Uint8Array | string;
  /** The HMAC hash; default `'SHA1'` (`ERR_OTP_ALGORITHM` otherwise). */
  algorithm?: OtpAlgorithm;
  /**
   * Compute each HMAC with this provider's `hmac` (e.g. a native one) instead of the built-in
   * precomputed path (`ERR_OTP_CRYPTO` if it has none, or fails). The key then keeps a copy of
   * the secret for the provider.
   */
  crypto?: CryptoProvider;
}

/**
 * Makes a reusable key for one secret (bytes or base32): the HMAC inner and outer states are
 * computed here, once, so every later `hotp`/`totp`/`verify*` call with this key costs two hash
 * compressions and no allocation. **Create one key per secret and reuse it**; passing raw bytes
 * to the OTP functions works but redoes this set-up on every call.
 *
 * The secret policy of {@link parseSecret} applies (`ERR_OTP_SECRET`, `ERR_BASE32_INVALID`;
 * `SECRET_SHORT` in `key.warnings`). The returned object exposes only `algorithm`, `bits` and
 * `warnings`; its secret-derived state is held privately. The key copies what it needs: later
 * changes to the `secret` array do not affect it.
 *
 * @example
 * ```ts
 * const key = createOtpKey({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', algorithm: 'SHA256' });
 * const code = totp({ secret: key, digits: 8 });
 * const result = verifyTotp({ secret: key, code: typed, digits: 8, afterStep });
 * ```
 */
export function createOtpKey(options: CreateOtpKeyOptions): OtpKey {
  checkOptions(options, 'options', true);
  const { secret, algorithm = 'SHA1', crypto } = options;
  const alg = algIndex(algorithm);
  if (crypto !== undefined && typeof crypto?.hmac !== 'function') fail('ERR_OTP_CRYPTO', '"crypto" expected a CryptoProvider');
  const bytes = secretBytes(secret, 'ERR_OTP_SECRET');
  const warnings = secretPolicy(bytes, 'ERR_OTP_SECRET');
  return makeKey(bytes, alg, warnings, crypto && providerMac(crypto, alg, Uint8Array.from(bytes)));
}

/** The truncated HMAC of a counter through `crypto.hmac`, over the key's own copy of the secret. */
function providerMac(crypto: CryptoProvider, alg: AlgIndex, secret: Uint8Array): (hi: number, lo: number) => number {
  return (hi, lo) => {
    const msg = new Uint8Array(8);
    for (let i = 0; i < 4; i++) {
      msg[i] = hi >>> (24 - 8 * i);
      msg[4 + i] = lo >>> (24 - 8 * i);
    }
    let mac: unknown;
    try {
      mac = crypto.hmac(ALGORITHMS[alg] as OtpAlgorithm, secret, msg);
    } catch {
      // The provider's error might quote its inputs: deliberately not passed on as a cause.
    }
    if (!(mac instanceof Uint8Array) || mac.length !== DIGEST_BYTES[alg]) return fail('ERR_OTP_CRYPTO', 'the CryptoProvider failed to compute the HMAC');
    return truncateBytes(mac);
  };
}
