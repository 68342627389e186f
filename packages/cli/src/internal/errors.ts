import { CloudMfaError } from '@cloudmfa/core';

/**
 * Codes the CLI itself throws; every other code on stderr is the library's.
 * Internal: the public list is in docs/cli.md.
 */
export type CliErrorCode = 'ERR_CLI_USAGE' | 'ERR_CLI_INPUT' | 'ERR_CLI_OUTPUT' | 'ERR_CLI_JSON';

/** Throws a CLI error. Messages name flags and positions, never an argument's value. */
export function cliFail(code: CliErrorCode | string, message: string): never {
  throw new CloudMfaError(code, message);
}

/** Shorthand for the most common CLI error. */
export function usage(message: string): never {
  return cliFail('ERR_CLI_USAGE', message);
}
