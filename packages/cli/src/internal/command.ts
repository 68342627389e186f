import type { OptionSpec } from './args.js';
import type { Context } from './context.js';

/** One subcommand: its words, its options, its positionals and what it does. */
export interface Command {
  /** The words after `cloudmfa`, e.g. `['uri', 'make']`. */
  readonly path: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** The synopsis after `cloudmfa <path>`. */
  readonly usage: string;
  /** Paragraphs shown by `--help` after the synopsis. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** How many positional arguments it takes, and what they are called in messages. */
  readonly positionals: { readonly name: string; readonly min: number; readonly max: number };
  /** Runs the command; returns the exit status (throwing a CloudMfaError means exit 2). */
  run(ctx: Context): Promise<number>;
}

/** The `--help` text of a command. */
export function formatHelp(command: Command): string {
  const lines = [`Usage: cloudmfa ${command.path.join(' ')} ${command.usage}`.trimEnd(), '', command.description.trim(), ''];
  const rows = [...command.options, { name: 'help', short: 'h', value: 'none', help: 'show this help' } as OptionSpec].map((o) => {
    const names = [o.short === undefined ? '    ' : `-${o.short}, `, `--${o.name}`];
    const value = o.value === 'required' ? ` ${o.valueName ?? 'VALUE'}` : o.value === 'optional' ? `[=${o.valueName ?? 'VALUE'}]` : '';
    const aliases = (o.aliases ?? []).map((a) => `--${a}`).join(', ');
    return [`  ${names.join('')}${value}`, aliases === '' ? o.help : `${o.help} (also ${aliases})`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  lines.push('Options:');
  for (const [left, help] of rows) lines.push(`${left.padEnd(width)}${help}`);
  return `${lines.join('\n')}\n`;
}
