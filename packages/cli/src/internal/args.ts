import { usage } from './errors.js';

/** One option of a command. */
export interface OptionSpec {
  /** Canonical long name without dashes, e.g. `digits`: the key in {@link ParsedArgs.options}. */
  readonly name: string;
  /** Other long names of the same option (oathtool's spellings). */
  readonly aliases?: readonly string[];
  /** A one-letter short name (`d` for `-d`). */
  readonly short?: string;
  /**
   * `none`: a flag. `required`: takes a value, the next argument or after `=`. `optional`: a
   * flag that may carry a value after `=` only (oathtool's `--totp[=MODE]`).
   */
  readonly value: 'none' | 'required' | 'optional';
  /** Shown in help, e.g. `N`. */
  readonly valueName?: string;
  readonly help: string;
}

/** Parsed command line: option values by canonical name (`true` for a flag), then positionals. */
export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
  /** `-h` / `--help` was given. */
  readonly help: boolean;
}

const HELP: OptionSpec = { name: 'help', short: 'h', value: 'none', help: 'show this help' };

/**
 * Parses `argv` against `specs`, getopt style: `--name value`, `--name=value`, `-d 8`, `-d8`,
 * `--` ends the options. A value-taking option always consumes the next argument, even one
 * starting with `-`. An option given twice, an unknown option, a missing value or a value on
 * a flag is `ERR_CLI_USAGE`. Error messages never contain an argument value: an unknown
 * option is named only when it looks like an option name, and only up to `=`.
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const all = [...specs, HELP];
  const byLong = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  for (const spec of all) {
    byLong.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) byLong.set(alias, spec);
    if (spec.short !== undefined) byShort.set(spec.short, spec);
  }
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  let help = false;

  const set = (spec: OptionSpec, shown: string, value: string | true): void => {
    if (spec === HELP) {
      help = true;
      return;
    }
    if (options.has(spec.name)) usage(`${shown} was given more than once`);
    options.set(spec.name, value);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (spec === undefined) usage(`unknown option ${describeOption(`--${name}`)}`);
      const shown = `--${spec.name}`;
      if (eq >= 0) {
        if (spec.value === 'none') usage(`${shown} does not take a value`);
        set(spec, shown, arg.slice(eq + 1));
      } else if (spec.value === 'required') {
        if (i + 1 >= argv.length) usage(`${shown} needs a value`);
        set(spec, shown, argv[++i] as string);
      } else {
        set(spec, shown, true);
      }
      continue;
    }
    if (arg.length > 1 && arg[0] === '-') {
      const spec = byShort.get(arg[1] as string);
      if (spec === undefined) usage(`unknown option ${describeOption(arg.slice(0, 2))}`);
      const shown = `-${spec.short}`;
      if (spec.value === 'required') {
        if (arg.length > 2) set(spec, shown, arg.slice(2));
        else {
          if (i + 1 >= argv.length) usage(`${shown} needs a value`);
          set(spec, shown, argv[++i] as string);
        }
      } else {
        if (arg.length > 2) usage(`${shown} does not take a value (write options separately)`);
        set(spec, shown, true);
      }
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals, help };
}

/** Names an unknown option only when it looks like one: a mistyped `--secret=...` is not echoed. */
function describeOption(text: string): string {
  return /^--?[a-z][a-z0-9-]{0,31}$/.test(text) ? `"${text}"` : '(not shown)';
}
