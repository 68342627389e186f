/** @module @cloudmfa/cli */
export { runCli } from './runCli.js';
export type { CliIo, RunCliOptions } from './types.js';
