import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Clock, type RandomSource, systemClock, systemRandom } from '@cloudmfa/core';
import type { CliIo } from '../types.js';
import type { ParsedArgs } from './args.js';
import { cliFail, usage } from './errors.js';

/** Cap on anything read from standard input, a file or the environment. */
const MAX_INPUT_BYTES = 64 * 1024;

/** What a command's `run` receives. */
export interface Context {
  readonly args: ParsedArgs;
  readonly now: Clock;
  readonly random: RandomSource;
  /** A string option's value, `undefined` when absent (a flag given as `--x` is a usage error here). */
  value(name: string): string | undefined;
  /** True when the flag was given. */
  flag(name: string): boolean;
  /** Writes one line (a newline is added) to stdout. */
  out(line: string): void;
  /** Writes raw text to stdout. */
  write(text: string): void;
  /** A `warning CODE: message` line on stderr. */
  warn(code: string, message: string): void;
  /** Marks a value as secret: it is redacted from any error line, whatever produced it. */
  sensitive(value: string): void;
  /** All of standard input; only one option may read it. */
  readStdin(what: string): Promise<string>;
  /** A file's text, capped. */
  readTextFile(path: string, what: string): Promise<string>;
  /** An environment variable. */
  env(name: string): string | undefined;
  /** Writes a file (mode 0600 when created: outputs can carry secrets). */
  writeOutput(path: string, data: string | Uint8Array): Promise<void>;
}

/** Builds the context of one run; `secrets` collects what `sensitive` marked, for redaction. */
export function createContext(args: ParsedArgs, io: CliIo, secrets: Set<string>): Context {
  let stdinUsedBy: string | undefined;
  const cwd = io.cwd ?? process.cwd();
  const ctx: Context = {
    args,
    now: io.now ?? systemClock,
    random: io.random ?? systemRandom,
    value(name) {
      const v = args.options.get(name);
      if (v === true) usage(`--${name} needs a value`);
      return v;
    },
    flag(name) {
      return args.options.has(name);
    },
    out(line) {
      io.stdout(`${line}\n`);
    },
    write(text) {
      io.stdout(text);
    },
    warn(code, message) {
      io.stderr(`warning ${code}: ${oneLine(message)}\n`);
    },
    sensitive(value) {
      if (value.length >= 4) secrets.add(value);
    },
    async readStdin(what) {
      if (stdinUsedBy !== undefined) usage(`${what} and ${stdinUsedBy} cannot both read standard input`);
      stdinUsedBy = what;
      let text: string;
      try {
        text = await (io.stdin ?? readProcessStdin)();
      } catch (err) {
        if (isCap(err)) throw err;
        return cliFail('ERR_CLI_INPUT', `${what}: standard input could not be read`);
      }
      if (typeof text !== 'string' || text.length > MAX_INPUT_BYTES) {
        cliFail('ERR_CLI_INPUT', `${what}: standard input is larger than ${MAX_INPUT_BYTES} bytes`);
      }
      return text;
    },
    async readTextFile(path, what) {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(resolve(cwd, path));
      } catch (err) {
        return cliFail('ERR_CLI_INPUT', `${what}: the file could not be read (${errnoOf(err)})`);
      }
      if (bytes.length > MAX_INPUT_BYTES) cliFail('ERR_CLI_INPUT', `${what}: the file is larger than ${MAX_INPUT_BYTES} bytes`);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    },
    env(name) {
      return (io.env ?? process.env)[name];
    },
    async writeOutput(path, data) {
      try {
        await writeFile(resolve(cwd, path), data, { mode: 0o600 });
      } catch (err) {
        cliFail('ERR_CLI_OUTPUT', `the --out file could not be written (${errnoOf(err)})`);
      }
    },
  };
  return ctx;
}

/** Collapses a message onto one line. */
export function oneLine(message: string): string {
  return message.replace(/[\r\n]+/g, ' ');
}

function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : 'I/O error';
}

function isCap(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_CLI_INPUT';
}

/**
 * Reads `process.stdin` up to the cap (one byte more tells that it is over). On a terminal it
 * stops at the first line break, so a password typed at the prompt needs no Ctrl-D.
 */
async function readProcessStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const interactive = process.stdin.isTTY === true;
  for await (const chunk of process.stdin as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > MAX_INPUT_BYTES) {
      process.stdin.destroy();
      cliFail('ERR_CLI_INPUT', `standard input is larger than ${MAX_INPUT_BYTES} bytes`);
    }
    chunks.push(chunk);
    if (interactive && chunk.includes(0x0a)) {
      process.stdin.pause();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
