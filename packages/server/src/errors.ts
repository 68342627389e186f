/**
 * Stable codes of the errors `@cloudmfa/server` throws (as `CloudMfaError.code`). Besides
 * these, `ERR_INVALID_ARGUMENT` (misuse), the store's `ERR_STORAGE_*` and push's
 * `ERR_PUSH_CONTEXT_*` can surface. See docs/server.md section 9.
 *
 * @example
 * ```ts
 * try { createMfaServer(options); } catch (e) { if (isCloudMfaError(e, 'ERR_SERVER_POLICY')) fixConfig(); }
 * ```
 */
export type ServerErrorCode =
  | 'ERR_SERVER_CONFIG'
  | 'ERR_SERVER_POLICY'
  | 'ERR_SERVER_DECRYPT'
  | 'ERR_SERVER_KEY_UNKNOWN'
  | 'ERR_SERVER_CORRUPT'
  | 'ERR_KEK_UNAVAILABLE'
  | 'ERR_KEY_FILE_ACCESS'
  | 'ERR_KEY_FILE_INVALID'
  | 'ERR_ORGANISATION_NOT_FOUND'
  | 'ERR_ORGANISATION_CONFLICT';

/**
 * The HTTP error codes of `POST /v1/activations/redeem`, one per `CompleteActivationResult`
 * `reason` (the result itself says `reason`, never `code`).
 *
 * @example
 * ```ts
 * const { error } = (await res.json()) as { error: { code: ActivationRefusalCode } };
 * if (error.code === 'ERR_ACTIVATION_ALREADY_REDEEMED') alertSecurityTeam();
 * ```
 */
export type ActivationRefusalCode =
  | 'ERR_ACTIVATION_MALFORMED'
  | 'ERR_ACTIVATION_STALE'
  | 'ERR_ACTIVATION_INVALID'
  | 'ERR_ACTIVATION_ALREADY_REDEEMED'
  | 'ERR_ACTIVATION_EXPIRED'
  | 'ERR_ACTIVATION_REVOKED'
  | 'ERR_ACTIVATION_THROTTLED';

/**
 * Every `error.code` the HTTP handlers (device and admin) can answer with. See docs/server.md
 * sections 7 and 7.4 for the status of each. An admin route refusing an argument the facade
 * checks answers 400 with the facade's own code instead (`ERR_INVALID_ARGUMENT`,
 * `ERR_PUSH_CONTEXT_*`, ...).
 *
 * @example
 * ```ts
 * const { error } = (await res.json()) as { error: { code: HttpErrorCode; message: string } };
 * ```
 */
export type HttpErrorCode =
  | ActivationRefusalCode
  | 'ERR_HTTP_NOT_FOUND'
  | 'ERR_HTTP_METHOD'
  | 'ERR_HTTP_MEDIA_TYPE'
  | 'ERR_HTTP_BODY_TOO_LARGE'
  | 'ERR_HTTP_MALFORMED'
  | 'ERR_HTTP_UNAVAILABLE'
  | 'ERR_HTTP_INTERNAL'
  | 'ERR_PUSH_MALFORMED'
  | 'ERR_PUSH_MISMATCH'
  | 'ERR_PUSH_BAD_SIGNATURE'
  | 'ERR_PUSH_NOT_ACTIVE'
  | 'ERR_PUSH_NOT_FOUND'
  | 'ERR_PUSH_REPLAYED'
  | 'ERR_PUSH_EXPIRED'
  | 'ERR_PUSH_PAUSED'
  | 'ERR_ADMIN_UNAUTHORIZED'
  | 'ERR_ADMIN_FORBIDDEN'
  | 'ERR_ADMIN_THROTTLED'
  | 'ERR_ADMIN_NOT_FOUND'
  | 'ERR_ADMIN_CONFLICT'
  | 'ERR_ADMIN_EMAIL_UNAVAILABLE';
