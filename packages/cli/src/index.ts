export { runCli } from './runCli.js';
export type { CliIo } from './types.js';
