import { createOtpKey } from '@cloudmfa/otp';
import { verifyHotp, verifyTotp } from '@cloudmfa/otp/server';
import type { Command } from '../internal/command.js';
import { usage } from '../internal/errors.js';
import { BASE32_OPTION, MODE_OPTIONS, OTP_CODES, readMode, readTiming, TIME_OPTIONS } from '../internal/otpOptions.js';
import { readSecret, SECRET_OPTION } from '../internal/inputs.js';
import { parseInteger } from '../internal/values.js';

/** `cloudmfa verify`: checks a typed code; JSON result, exit 0 (valid) or 1 (not valid). */
export const verifyCommand: Command = {
  path: ['verify'],
  summary: 'check a code; prints {"ok":true,"delta":D,"step":S} (exit 0) or {"ok":false,"reason":R} (exit 1)',
  usage: '--secret B32 --code C [--totp[=ALG] | --hotp --counter N] [--time T] [--digits N] [--algorithm ALG] [--period S] [--t0 T] [--window N] [--after-step S]',
  description: `Checks a code a user typed (spaces and dashes ignored) and prints one JSON line:
  {"ok":true,"delta":D,"step":S}      TOTP: exit 0; store S and pass it as --after-step next time
  {"ok":true,"delta":D,"counter":C}   HOTP: exit 0; store C + 1 as the next --counter
  {"ok":false,"reason":R}             exit 1; R is format, length, mismatch or replayed
TOTP --window N accepts steps -N..+N (default 1, at most 10). HOTP --window N is the look-ahead
counter..counter+N (default 10, at most 1000), never behind. A wrong code is exit 1, never 2.`,
  options: [
    SECRET_OPTION,
    { name: 'code', value: 'required', valueName: 'C', help: 'the code to check' },
    ...MODE_OPTIONS,
    ...TIME_OPTIONS,
    { name: 'window', short: 'w', value: 'required', valueName: 'N', help: 'TOTP: steps on each side (default 1); HOTP: look-ahead (default 10)' },
    { name: 'after-step', value: 'required', valueName: 'S', help: 'TOTP: refuse steps at or below S (the last accepted step) as replayed' },
    BASE32_OPTION,
  ],
  positionals: { name: 'argument', min: 0, max: 0 },
  async run(ctx) {
    const code = ctx.value('code');
    if (code === undefined) usage('--code is required');
    const mode = readMode(ctx, OTP_CODES);
    const windowText = ctx.value('window');
    const window = windowText === undefined ? undefined : parseInteger(windowText, '--window', 'ERR_OTP_WINDOW');
    const afterText = ctx.value('after-step');
    const afterStep = afterText === undefined ? undefined : parseInteger(afterText, '--after-step', 'ERR_OTP_AFTER_STEP');
    const timing = mode.type === 'totp' ? readTiming(ctx) : undefined;
    const key = createOtpKey({ secret: await readSecret(ctx), algorithm: mode.algorithm });
    for (const w of key.warnings) ctx.warn(w.code, w.message);

    if (mode.type === 'hotp') {
      const r = verifyHotp({ secret: key, code, counter: mode.counter, digits: mode.digits, ...(window === undefined ? {} : { lookAhead: window }) });
      ctx.out(JSON.stringify(r.ok ? { ok: true, delta: r.delta, counter: r.counter } : { ok: false, reason: r.reason }));
      return r.ok ? 0 : 1;
    }
    const { now, t0 } = timing as NonNullable<typeof timing>;
    const r = verifyTotp({
      secret: key,
      code,
      now,
      t0,
      period: mode.period,
      digits: mode.digits,
      ...(window === undefined ? {} : { window }),
      ...(afterStep === undefined ? {} : { afterStep }),
    });
    ctx.out(JSON.stringify(r.ok ? { ok: true, delta: r.delta, step: r.step } : { ok: false, reason: r.reason }));
    return r.ok ? 0 : 1;
  },
};
