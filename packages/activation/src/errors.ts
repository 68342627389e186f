/**
 * Stable error codes thrown by `@cloudmfa/activation` (in addition to core's
 * `ERR_INVALID_ARGUMENT` for developer misuse). Test against `code`, never `message`.
 *
 * | Code | Meaning |
 * |---|---|
 * | `ERR_ENVELOPE_MALFORMED` | not an activation envelope, or structurally impossible |
 * | `ERR_ENVELOPE_TOO_LARGE` | the text is longer than the decoder's cap |
 * | `ERR_ENVELOPE_VERSION` | a format version this SDK does not know |
 * | `ERR_ENVELOPE_KDF_COST` | KDF parameters above the decoder's caps |
 * | `ERR_ENVELOPE_EXPIRED` | past its expiry (plus the clock-skew allowance) |
 * | `ERR_ENVELOPE_KDF_FAILED` | the crypto provider's password KDF failed |
 * | `ERR_ENVELOPE_DECRYPT` | wrong password or tampered envelope (deliberately one code) |
 * | `ERR_REDEMPTION_MALFORMED` | a redemption response that does not parse or breaks the content rules |
 * | `ERR_REDEMPTION_DECRYPT` | a redemption response that does not decrypt |
 * | `ERR_REDEMPTION_MISMATCH` | a response for another activation, or another issuer or OTP parameters than the preview |
 *
 * @example
 * ```ts
 * import { isCloudMfaError } from '@cloudmfa/core';
 * try {
 *   await openEnvelope({ text, password });
 * } catch (err) {
 *   if (isCloudMfaError(err, 'ERR_ENVELOPE_DECRYPT')) askForThePasswordAgain();
 * }
 * ```
 */
export type ActivationErrorCode =
  | 'ERR_ENVELOPE_MALFORMED'
  | 'ERR_ENVELOPE_TOO_LARGE'
  | 'ERR_ENVELOPE_VERSION'
  | 'ERR_ENVELOPE_KDF_COST'
  | 'ERR_ENVELOPE_EXPIRED'
  | 'ERR_ENVELOPE_KDF_FAILED'
  | 'ERR_ENVELOPE_DECRYPT'
  | 'ERR_REDEMPTION_MALFORMED'
  | 'ERR_REDEMPTION_DECRYPT'
  | 'ERR_REDEMPTION_MISMATCH';
