import type { Clock, RandomSource } from '@cloudmfa/core';

/**
 * What `runCli` talks to: output sinks, and the inputs a command may read. Everything but the
 * two sinks is optional and defaults to the process's own (`process.stdin`, `process.env`,
 * `process.cwd()`, `systemClock`, `systemRandom`), so tests pin time and randomness here.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const io: CliIo = {
 *   stdout: (text) => out.push(text),
 *   stderr: (text) => process.stderr.write(text),
 *   stdin: async () => 'JBSWY3DPEHPK3PXP\n',
 *   now: () => 1_700_000_000_000,
 *   random: (n) => new Uint8Array(n).fill(7),
 * };
 * const code = await runCli({ argv: ['code', '--secret', '-'], io });
 * ```
 */
export interface CliIo {
  /** Receives standard output text (whole lines, each ending in `\n`). */
  stdout(text: string): void;
  /** Receives standard error text (whole lines). */
  stderr(text: string): void;
  /** Reads all of standard input. Called at most once per run. Default: `process.stdin`, capped at 64 KiB. */
  stdin?: () => Promise<string>;
  /** Environment variables, for `--password-env NAME`. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Clock in milliseconds. Default: `systemClock`. */
  now?: Clock;
  /** CSPRNG. Default: `systemRandom`. */
  random?: RandomSource;
  /** Directory that relative `--out`, `@FILE` and `--online-json` paths resolve against. Default: `process.cwd()`. */
  cwd?: string;
}

/**
 * Options of `runCli`.
 *
 * @example
 * ```ts
 * const options: RunCliOptions = { argv: ['code', '--secret', 'JBSWY3DPEHPK3PXP'], io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t) } };
 * ```
 */
export interface RunCliOptions {
  /** The arguments after the program name, e.g. `['code', '--secret', 'JBSWY3DPEHPK3PXP']`. */
  argv: readonly string[];
  /** Output sinks, and optionally stdin, env, clock, randomness and cwd (see {@link CliIo}). */
  io: CliIo;
}
