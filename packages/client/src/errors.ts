import { CloudMfaError } from '@cloudmfa/core';

/**
 * Stable error codes thrown by `@cloudmfa/client` for misuse by the app developer (what a
 * user, a camera or a server hands over never throws: it comes back as a typed result).
 *
 * - `ERR_CLIENT_NOT_FOUND`: no identity or request with that id.
 * - `ERR_CLIENT_STATE`: a flow step called out of order (e.g. `save()` before `confirm()`).
 * - `ERR_CLIENT_CONTENTS`: the vault holds contents this engine did not write.
 *
 * @example
 * ```ts
 * if (isCloudMfaError(err, 'ERR_CLIENT_STATE')) restartTheFlow();
 * ```
 */
export type ClientErrorCode = 'ERR_CLIENT_NOT_FOUND' | 'ERR_CLIENT_STATE' | 'ERR_CLIENT_CONTENTS';

export function clientError(code: ClientErrorCode | 'ERR_INVALID_ARGUMENT', message: string): CloudMfaError {
  return new CloudMfaError(code, message);
}
