import { createOtpKey, hotp, totp } from '@cloudmfa/otp';
import type { Command } from '../internal/command.js';
import { cliFail } from '../internal/errors.js';
import { BASE32_OPTION, MODE_OPTIONS, OTP_CODES, readMode, readTiming, TIME_OPTIONS } from '../internal/otpOptions.js';
import { readSecret, SECRET_OPTION } from '../internal/inputs.js';
import { parseInteger } from '../internal/values.js';

/** Most extra codes `code --window N` prints (oathtool has no cap; a typo should not print a million lines). */
const MAX_CODE_WINDOW = 1000;

/** `cloudmfa code`: the current TOTP code, or the HOTP code at a counter. */
export const codeCommand: Command = {
  path: ['code'],
  summary: 'print the TOTP code now (or at --time), or the HOTP code at --counter',
  usage: '--secret B32 [--totp[=ALG] | --hotp --counter N] [--time T] [--digits N] [--algorithm ALG] [--period S] [--t0 T] [--window N]',
  description: `Prints the code alone on a line. TOTP is the default; --counter (or --hotp --counter) selects HOTP.
With --window N, prints N + 1 codes, one per line: counters counter..counter+N, or the current
time step and the N following ones (as oathtool does). Flags follow oathtool where they overlap
(-c, -d, -s, -S, -N, -w, --totp=ALG, -b).`,
  options: [
    SECRET_OPTION,
    ...MODE_OPTIONS,
    ...TIME_OPTIONS,
    { name: 'window', short: 'w', value: 'required', valueName: 'N', help: `also print the N following codes (0..${MAX_CODE_WINDOW})` },
    BASE32_OPTION,
  ],
  positionals: { name: 'argument', min: 0, max: 0 },
  async run(ctx) {
    const mode = readMode(ctx, OTP_CODES);
    const windowText = ctx.value('window');
    const extra = windowText === undefined ? 0 : parseInteger(windowText, '--window', 'ERR_OTP_WINDOW');
    if (extra < 0 || extra > MAX_CODE_WINDOW) cliFail('ERR_OTP_WINDOW', `--window expected an integer in [0, ${MAX_CODE_WINDOW}]`);
    const timing = mode.type === 'totp' ? readTiming(ctx) : undefined;
    const key = createOtpKey({ secret: await readSecret(ctx), algorithm: mode.algorithm });
    for (const w of key.warnings) ctx.warn(w.code, w.message);

    for (let i = 0; i <= extra; i++) {
      if (mode.type === 'hotp') {
        ctx.out(hotp({ secret: key, counter: mode.counter + i, digits: mode.digits }));
      } else {
        const { now, t0 } = timing as NonNullable<typeof timing>;
        // Step i ahead: the same clock shifted by i periods.
        const shift = i * mode.period * 1000;
        ctx.out(totp({ secret: key, now: () => now() + shift, period: mode.period, t0, digits: mode.digits }));
      }
    }
    return 0;
  },
};
