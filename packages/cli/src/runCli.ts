import { isCloudMfaError } from '@cloudmfa/core';
import { version } from '../package.json';
import { parseArgs } from './internal/args.js';
import { type Command, formatHelp } from './internal/command.js';
import { createContext, oneLine } from './internal/context.js';
import { usage } from './internal/errors.js';
import { COMMANDS } from './internal/registry.js';
import type { CliIo, RunCliOptions } from './types.js';

/**
 * Runs the `cloudmfa` command line in-process and resolves to its exit status: 0 success,
 * 1 `verify` found the code not valid, 2 bad input (one line `ERR_...: message` on stderr,
 * nothing on stdout), 70 an internal failure. Never rejects, never prints a stack trace, and
 * redacts every secret it was given (secrets, passwords, URIs) from the error line as a last
 * line of defence. The `cloudmfa` executable is this function bound to the process.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const status = await runCli({
 *   argv: ['verify', '--secret', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', '--code', '287082', '--time', '59'],
 *   io: { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
 * });
 * // status === 0, out[0] === '{"ok":true,"delta":0,"step":1}\n'
 * ```
 */
export async function runCli(options: RunCliOptions): Promise<number> {
  const { argv, io } = options;
  const secrets = new Set<string>();
  const stdout: string[] = [];
  const warnings: string[] = [];
  // Output is held until the command succeeds: a failure leaves stdout empty and stderr one line.
  const buffered: CliIo = { ...io, stdout: (t) => stdout.push(t), stderr: (t) => warnings.push(t) };
  try {
    const status = await dispatch(Array.from(argv, String), buffered, secrets);
    for (const t of stdout) io.stdout(t);
    for (const t of warnings) io.stderr(redact(t, secrets));
    return status;
  } catch (err) {
    if (isCloudMfaError(err)) {
      io.stderr(`${redact(`${err.code}: ${oneLine(err.message)}`, secrets)}\n`);
      return 2;
    }
    // Not a user mistake: say so without the message (it could quote input) and without a stack.
    const name = err instanceof Error && /^[A-Za-z]{1,40}$/.test(err.name) ? err.name : 'error';
    io.stderr(`ERR_INTERNAL: unexpected failure (${name}); please report it\n`);
    return 70;
  }
}

async function dispatch(argv: string[], io: CliIo, secrets: Set<string>): Promise<number> {
  const first = argv[0];
  if (first === undefined) usage('missing command (see cloudmfa --help)');
  if (first === '--help' || first === '-h') return print(io, globalHelp());
  if (first === '--version' || first === '-V') return print(io, `${version}\n`);
  if (first === 'help') {
    const rest = argv.slice(1);
    if (rest.length === 0) return print(io, globalHelp());
    const { command, group } = lookup(rest);
    if (command !== undefined && rest.length === command.path.length) return print(io, formatHelp(command));
    if (group !== undefined && rest.length === 1) return print(io, groupHelp(group));
    return usage('help: unknown command (see cloudmfa --help)');
  }
  const { command, group } = lookup(argv);
  if (command === undefined) {
    if (group === undefined) usage(`unknown command ${describeWord(first)} (see cloudmfa --help)`);
    const sub = argv[1];
    if (sub === '--help' || sub === '-h') return print(io, groupHelp(group));
    if (sub === undefined) usage(`${group} needs a subcommand (see cloudmfa ${group} --help)`);
    return usage(`unknown command ${group} ${describeWord(sub)} (see cloudmfa ${group} --help)`);
  }
  const args = parseArgs(argv.slice(command.path.length), command.options);
  if (args.help) return print(io, formatHelp(command));
  const name = command.path.join(' ');
  const { min, max } = command.positionals;
  if (args.positionals.length < min) usage(`${name}: missing ${command.positionals.name}`);
  if (args.positionals.length > max) {
    usage(max === 0 ? `${name}: unexpected argument #${max + 1} (it takes options only)` : `${name}: unexpected argument #${max + 1}`);
  }
  return command.run(createContext(args, io, secrets));
}

function lookup(words: readonly string[]): { command?: Command; group?: string } {
  const command = COMMANDS.find((c) => c.path.every((w, i) => words[i] === w));
  if (command !== undefined) return { command };
  const group = COMMANDS.find((c) => c.path.length > 1 && c.path[0] === words[0])?.path[0];
  return group === undefined ? {} : { group };
}

function print(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

/** Names a mistyped command only when it looks like a command word (a stray secret is not echoed). */
function describeWord(word: string): string {
  return /^[a-z][a-z0-9-]{0,31}$/.test(word) ? `"${word}"` : '(not shown)';
}

function commandList(commands: readonly Command[]): string {
  const rows = commands.map((c) => [`cloudmfa ${c.path.join(' ')}`, c.summary] as const);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, s]) => `  ${l.padEnd(width)}${s}`).join('\n');
}

function globalHelp(): string {
  return `Usage: cloudmfa COMMAND [OPTIONS]

CloudMFA command line: OTP secrets and codes, otpauth:// and migration URIs, activation envelopes.

Commands:
${commandList(COMMANDS)}

cloudmfa COMMAND --help shows a command's options; cloudmfa --version its version.
Exit status: 0 ok, 1 verify: not valid, 2 bad input ("ERR_...: message" on stderr), 70 internal error.
`;
}

function groupHelp(group: string): string {
  return `Usage: cloudmfa ${group} SUBCOMMAND [OPTIONS]

Subcommands:
${commandList(COMMANDS.filter((c) => c.path[0] === group))}
`;
}

/** Removes every known secret from a line (case-insensitively: base32 is case-free). */
function redact(line: string, secrets: ReadonlySet<string>): string {
  let out = line;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '[redacted]');
  }
  return out;
}
