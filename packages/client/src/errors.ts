import { CloudMfaError } from '@cloudmfa/core';

/**
 * Stable error codes thrown by `@cloudmfa/client` for misuse by the app developer (what a
 * user, a camera or a server hands over never throws: it comes back as a typed result).
 *
 * - `ERR_CLIENT_NOT_FOUND`: no identity or request with that id.
 * - `ERR_CLIENT_STATE`: a flow step called out of order (e.g. `save()` before `confirm()`).
 * - `ERR_CLIENT_CONTENTS`: the vault holds contents this engine did not write.
 * - `ERR_CLIENT_INDEX`: the public index is not signed by this app's index key (edited,
 *   unsigned or from elsewhere); the engine catches it, uses none of the index and reports
 *   `indexStatus()` `refused` (docs/protocol/vault.md section 12).
 *
 * @example
 * ```ts
 * if (isCloudMfaError(err, 'ERR_CLIENT_STATE')) restartTheFlow();
 * ```
 */
export type ClientErrorCode = 'ERR_CLIENT_NOT_FOUND' | 'ERR_CLIENT_STATE' | 'ERR_CLIENT_CONTENTS' | 'ERR_CLIENT_INDEX';

export function clientError(code: ClientErrorCode | 'ERR_INVALID_ARGUMENT', message: string): CloudMfaError {
  return new CloudMfaError(code, message);
}
