import type { Context } from './context.js';
import { cliFail, usage } from './errors.js';
import type { OptionSpec } from './args.js';

/** `--secret`, shared by the OTP commands. */
export const SECRET_OPTION: OptionSpec = {
  name: 'secret',
  value: 'required',
  valueName: 'B32',
  help: 'the base32 secret; "-" reads it from standard input, "@FILE" from a file (keeps it out of shell history)',
};

/** The three ways to give a password. */
export const PASSWORD_OPTIONS: readonly OptionSpec[] = [
  { name: 'password', value: 'required', valueName: 'P', help: 'the envelope password (visible in shell history: prefer the next two)' },
  { name: 'password-stdin', value: 'none', help: 'read the password from the first line of standard input' },
  { name: 'password-env', value: 'required', valueName: 'NAME', help: 'read the password from the environment variable NAME' },
];

/**
 * The secret given with `--secret` (literal, `-` for stdin, `@FILE`), marked sensitive.
 * Required: a missing `--secret` is a usage error.
 */
export async function readSecret(ctx: Context): Promise<string> {
  const raw = ctx.value('secret');
  if (raw === undefined) usage('--secret is required');
  let secret = raw;
  if (raw === '-') secret = await ctx.readStdin('--secret -');
  else if (raw.startsWith('@')) secret = await ctx.readTextFile(raw.slice(1), '--secret @FILE');
  // Base32 parsing forgives inner whitespace; a file's or a pipe's final newline is trimmed here.
  secret = secret.trim();
  ctx.sensitive(raw);
  ctx.sensitive(secret);
  ctx.sensitive(secret.replace(/[\s=]/g, '').toUpperCase());
  return secret;
}

/** The password from exactly one of `--password`, `--password-stdin`, `--password-env`, marked sensitive. */
export async function readPassword(ctx: Context): Promise<string> {
  const given = ['password', 'password-stdin', 'password-env'].filter((n) => ctx.flag(n));
  if (given.length === 0) usage('a password is required: --password-stdin, --password-env NAME or --password P');
  if (given.length > 1) usage(`give the password one way only (got ${given.map((n) => `--${n}`).join(' and ')})`);
  let password: string;
  if (ctx.flag('password-stdin')) {
    const text = await ctx.readStdin('--password-stdin');
    password = (/^[^\r\n]*/.exec(text) as RegExpExecArray)[0];
  } else if (ctx.flag('password-env')) {
    const name = ctx.value('password-env') as string;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) usage('--password-env expected an environment variable name');
    const value = ctx.env(name);
    if (value === undefined || value === '') // The name is not echoed: people pass the password itself here by mistake.
      cliFail('ERR_CLI_INPUT', '--password-env: that environment variable is not set or is empty');
    password = value;
  } else {
    password = ctx.value('password') as string;
  }
  if (password === '') cliFail('ERR_CLI_INPUT', 'the password is empty');
  ctx.sensitive(password);
  ctx.sensitive(password.replace(/[\s-]/g, '').toUpperCase());
  return password;
}
