import type { OtpAlgorithm } from '@cloudmfa/otp';
import { cliFail } from './errors.js';

// Strict parsers for option values. A value that does not parse fails with the code the library
// uses for that parameter (so `--digits x` and `--digits 11` share ERR_OTP_DIGITS); ranges are
// left to the library, which owns them. Messages name the option, never the value.

/** Largest |seconds| accepted for a time: 2^40 s (year ~36,800), as otp's t0 cap. */
const MAX_SECONDS = 2 ** 40;

/** A decimal integer (ASCII digits, optional leading `-`), safe. */
export function parseInteger(value: string, option: string, code: string): number {
  if (!/^-?[0-9]{1,16}$/.test(value)) cliFail(code, `${option} expected a decimal integer`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) cliFail(code, `${option} is out of range`);
  return n;
}

/**
 * A point in time as Unix seconds: `1234567890`, GNU date's `@1234567890`, or a UTC date-time
 * `YYYY-MM-DD HH:MM:SS UTC` / `YYYY-MM-DDTHH:MM:SSZ`. A date-time without an explicit UTC zone
 * is refused: oathtool would read it as local time.
 */
export function parseTime(value: string, option: string, code: string): number {
  let seconds: number;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?: UTC|Z)$/.exec(value);
  if (m !== null) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    // Date.UTC rolls 2009-02-30 over into March: refuse what does not round-trip.
    if (
      back.getUTCFullYear() !== y ||
      back.getUTCMonth() !== mo - 1 ||
      back.getUTCDate() !== d ||
      back.getUTCHours() !== h ||
      back.getUTCMinutes() !== mi ||
      back.getUTCSeconds() !== s
    ) {
      cliFail(code, `${option} is not a valid calendar date-time`);
    }
    seconds = ms / 1000;
  } else if (/^@?-?[0-9]{1,16}$/.test(value)) {
    seconds = Number(value[0] === '@' ? value.slice(1) : value);
  } else {
    cliFail(code, `${option} expected Unix seconds, @SECONDS or "YYYY-MM-DD HH:MM:SS UTC"`);
  }
  if (!(Math.abs(seconds) <= MAX_SECONDS)) cliFail(code, `${option} is out of range (|seconds| <= 2^40)`);
  return seconds;
}

/** A duration in seconds: `30`, `30s`, `1m`, `1h` (oathtool's `--time-step-size` spelling). */
export function parseDuration(value: string, option: string, code: string): number {
  const m = /^([0-9]{1,12})([smh]?)$/.exec(value);
  if (m === null) cliFail(code, `${option} expected whole seconds, optionally with an s, m or h suffix`);
  const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
  return Number(m[1]) * unit;
}

/** `sha1`, `sha256`, `sha512` in any case, to the library's spelling. */
export function parseAlgorithm(value: string, option: string, code: string): OtpAlgorithm {
  const up = value.toUpperCase();
  if (up === 'SHA1' || up === 'SHA256' || up === 'SHA512') return up;
  return cliFail(code, `${option} expected sha1, sha256 or sha512`);
}
