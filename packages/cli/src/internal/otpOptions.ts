import type { Clock } from '@cloudmfa/core';
import type { OtpAlgorithm } from '@cloudmfa/otp';
import type { OptionSpec } from './args.js';
import type { Context } from './context.js';
import { usage } from './errors.js';
import { parseAlgorithm, parseDuration, parseInteger, parseTime } from './values.js';

// The OTP options `code`, `verify` and `uri make` share, spelled as oathtool spells them where
// the two overlap (docs/cli.md section 2).

export const MODE_OPTIONS: readonly OptionSpec[] = [
  { name: 'totp', value: 'optional', valueName: 'ALG', help: 'TOTP (the default); --totp=SHA256 also sets the algorithm (oathtool)' },
  { name: 'hotp', value: 'none', help: 'HOTP; needs --counter' },
  { name: 'counter', short: 'c', value: 'required', valueName: 'N', help: 'HOTP counter (implies --hotp)' },
  { name: 'digits', short: 'd', value: 'required', valueName: 'N', help: 'code length, 6..10 (default 6)' },
  { name: 'algorithm', value: 'required', valueName: 'ALG', help: 'sha1 (default), sha256 or sha512' },
  {
    name: 'period',
    aliases: ['time-step-size'],
    short: 's',
    value: 'required',
    valueName: 'S',
    help: 'TOTP step in seconds: 30 (default), 30s, 1m, ...',
  },
];

export const TIME_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'time',
    aliases: ['now'],
    short: 'N',
    value: 'required',
    valueName: 'T',
    help: 'TOTP: the time to use, Unix seconds, @SECONDS or "YYYY-MM-DD HH:MM:SS UTC" (default: now)',
  },
  { name: 't0', aliases: ['start-time'], short: 'S', value: 'required', valueName: 'T', help: 'TOTP: start of step 0, same forms (default 0)' },
];

/** oathtool's `-b/--base32`: accepted and ignored, our secrets are always base32. */
export const BASE32_OPTION: OptionSpec = { name: 'base32', short: 'b', value: 'none', help: 'accepted for oathtool compatibility: secrets are always base32' };

/** Library error codes for each OTP parameter, per command family. */
export interface OtpCodes {
  digits: string;
  algorithm: string;
  period: string;
  counter: string;
}
export const OTP_CODES: OtpCodes = { digits: 'ERR_OTP_DIGITS', algorithm: 'ERR_OTP_ALGORITHM', period: 'ERR_OTP_PERIOD', counter: 'ERR_OTP_COUNTER' };
export const OTPAUTH_CODES: OtpCodes = {
  digits: 'ERR_OTPAUTH_DIGITS',
  algorithm: 'ERR_OTPAUTH_ALGORITHM',
  period: 'ERR_OTPAUTH_PERIOD',
  counter: 'ERR_OTPAUTH_COUNTER',
};

export type OtpMode =
  | { type: 'totp'; algorithm: OtpAlgorithm; digits: number; period: number }
  | { type: 'hotp'; algorithm: OtpAlgorithm; digits: number; counter: number };

/** Reads the mode options; TOTP is the default, `--counter` or `--hotp` select HOTP. */
export function readMode(ctx: Context, codes: OtpCodes): OtpMode {
  const totp = ctx.args.options.get('totp');
  const hotp = ctx.flag('hotp');
  const counterText = ctx.value('counter');
  if (totp !== undefined && hotp) usage('--totp and --hotp cannot be used together');
  if (totp !== undefined && counterText !== undefined) usage('--counter is for HOTP: drop --totp or use --hotp');
  const isHotp = hotp || counterText !== undefined;

  const algorithmText = ctx.value('algorithm');
  let algorithm: OtpAlgorithm = 'SHA1';
  if (algorithmText !== undefined) algorithm = parseAlgorithm(algorithmText, '--algorithm', codes.algorithm);
  if (typeof totp === 'string') {
    const fromMode = parseAlgorithm(totp, '--totp', codes.algorithm);
    if (algorithmText !== undefined && fromMode !== algorithm) usage('--totp=ALG and --algorithm disagree');
    algorithm = fromMode;
  }
  const digitsText = ctx.value('digits');
  const digits = digitsText === undefined ? 6 : parseInteger(digitsText, '--digits', codes.digits);

  if (isHotp) {
    for (const name of ['period', 'time', 't0', 'after-step']) {
      if (ctx.args.options.has(name)) usage(`--${name} applies to TOTP only`);
    }
    if (counterText === undefined) usage('--hotp needs --counter N');
    return { type: 'hotp', algorithm, digits, counter: parseInteger(counterText, '--counter', codes.counter) };
  }
  const periodText = ctx.value('period');
  const period = periodText === undefined ? 30 : parseDuration(periodText, '--period', codes.period);
  return { type: 'totp', algorithm, digits, period };
}

/** `--time` as a clock (default: the context's clock) and `--t0` in seconds. */
export function readTiming(ctx: Context): { now: Clock; t0: number } {
  const timeText = ctx.value('time');
  const t0Text = ctx.value('t0');
  const t0 = t0Text === undefined ? 0 : parseTime(t0Text, '--t0', 'ERR_OTP_T0');
  if (timeText === undefined) return { now: ctx.now, t0 };
  const ms = parseTime(timeText, '--time', 'ERR_OTP_TIME') * 1000;
  return { now: () => ms, t0 };
}
