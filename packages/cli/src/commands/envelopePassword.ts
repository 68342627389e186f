import { generatePassword } from '@cloudmfa/activation/server';
import type { Command } from '../internal/command.js';

/** `cloudmfa envelope password`: a fresh envelope password. */
export const envelopePasswordCommand: Command = {
  path: ['envelope', 'password'],
  summary: 'print a fresh envelope password (60 bits, grouped for reading aloud)',
  usage: '',
  description: `Prints a new password for envelope seal: 12 symbols of Crockford's base32 (60 bits) from the
CSPRNG, in groups of four, e.g. 7KQ2-M9XD-4HRP. Case, spaces and dashes do not matter when it is typed.`,
  options: [],
  positionals: { name: 'argument', min: 0, max: 0 },
  async run(ctx) {
    ctx.out(generatePassword({ random: ctx.random }));
    return 0;
  },
};
