/**
 * Stable error codes thrown by `@cloudmfa/push` (besides core's `ERR_INVALID_ARGUMENT` for
 * misuse and `ERR_SIGNATURE_FORMAT` for a signer that returns neither raw nor DER P-256).
 * Verify functions never throw these for what came over the wire: they return a typed reason.
 *
 * - `ERR_PUSH_CONTEXT_TOO_LARGE`: a context field or the whole context is over its cap.
 * - `ERR_PUSH_CONTEXT_INVALID`: missing service name, forbidden characters, a malformed IP.
 * - `ERR_PUSH_PAYLOAD_TOO_LARGE`: even the id-only push payload is over `maxBytes`.
 * - `ERR_PUSH_CHALLENGE_UNVERIFIED`: `createPushResponse` got a challenge that
 *   `verifyPushChallenge` did not return.
 * - `ERR_PUSH_NUMBER_FORMAT`: the typed number is not 1-8 digits, or missing/present wrongly.
 * - `ERR_PUSH_SIGN_FAILED`: the signer threw (hardware key refused, biometric prompt cancelled).
 *
 * @example
 * ```ts
 * if (isCloudMfaError(err, 'ERR_PUSH_NUMBER_FORMAT')) askForTheNumberAgain();
 * ```
 */
export type PushErrorCode =
  | 'ERR_PUSH_CONTEXT_TOO_LARGE'
  | 'ERR_PUSH_CONTEXT_INVALID'
  | 'ERR_PUSH_PAYLOAD_TOO_LARGE'
  | 'ERR_PUSH_CHALLENGE_UNVERIFIED'
  | 'ERR_PUSH_NUMBER_FORMAT'
  | 'ERR_PUSH_SIGN_FAILED';
