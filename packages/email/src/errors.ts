/**
 * Stable error codes thrown by `@cloudmfa/email` (besides core's `ERR_INVALID_ARGUMENT` for
 * misuse: a missing field, an activation whose text does not match its mode, an expired
 * activation, a control character in a name). Test against `code`, never `message`.
 *
 * | Code | Meaning |
 * |---|---|
 * | `ERR_EMAIL_MESSAGES` | a messages object (a translation) returned something unusable: not a string, an empty step list, a line break in a subject |
 * | `ERR_EMAIL_SEND` | the transport could not hand the message over (the SMTP server refused it, the connection failed); the message says which email, the `cause` holds only the transport's error code and SMTP reply code |
 *
 * @example
 * ```ts
 * import { isCloudMfaError } from '@cloudmfa/core';
 * try {
 *   await sendActivationEmail({ transport, from, to: 'alice@acme.example', email });
 * } catch (err) {
 *   if (isCloudMfaError(err, 'ERR_EMAIL_SEND')) await retryLater();
 * }
 * ```
 */
export type EmailErrorCode = 'ERR_EMAIL_MESSAGES' | 'ERR_EMAIL_SEND';
