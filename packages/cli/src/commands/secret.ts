import { encodeBase32 } from '@cloudmfa/core';
import { generateSecret } from '@cloudmfa/otp/server';
import type { Command } from '../internal/command.js';
import { parseInteger } from '../internal/values.js';

/** `cloudmfa secret [--bytes N]`: a fresh base32 secret from the CSPRNG. */
export const secretCommand: Command = {
  path: ['secret'],
  summary: 'print a new random base32 secret',
  usage: '[--bytes N]',
  description: 'Prints a new secret from the CSPRNG as unpadded uppercase base32: 20 bytes (160 bits) by default, 16..1024.',
  options: [{ name: 'bytes', value: 'required', valueName: 'N', help: 'secret length in bytes, 16..1024 (default 20)' }],
  positionals: { name: 'argument', min: 0, max: 0 },
  async run(ctx) {
    const bytesText = ctx.value('bytes');
    const bytes = bytesText === undefined ? 20 : parseInteger(bytesText, '--bytes', 'ERR_OTP_SECRET');
    ctx.out(encodeBase32(generateSecret({ bytes, random: ctx.random })));
    return 0;
  },
};
