export { runCli } from './runCli.js';
export type { CliIo, RunCliOptions } from './types.js';
