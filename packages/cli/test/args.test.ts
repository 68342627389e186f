import { describe, expect, it } from 'vitest';
import { type OptionSpec, parseArgs } from '../src/internal/args.js';
import { parseDuration, parseInteger, parseTime } from '../src/internal/values.js';

const SPECS: OptionSpec[] = [
  { name: 'digits', short: 'd', value: 'required', help: '' },
  { name: 'period', aliases: ['time-step-size'], short: 's', value: 'required', help: '' },
  { name: 'totp', value: 'optional', help: '' },
  { name: 'base32', short: 'b', value: 'none', help: '' },
  { name: 'password', value: 'required', help: '' },
];

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
};

describe('parseArgs', () => {
  it('reads getopt forms: --x v, --x=v, -d v, -d8, aliases, optional values, flags', () => {
    const r = parseArgs(['--digits', '8', '--time-step-size=60', '-b', '--totp=SHA256', 'pos'], SPECS);
    expect(Object.fromEntries(r.options)).toEqual({ digits: '8', period: '60', base32: true, totp: 'SHA256' });
    expect(r.positionals).toEqual(['pos']);
    expect(Object.fromEntries(parseArgs(['-d8', '-s', '30', '--totp'], SPECS).options)).toEqual({ digits: '8', period: '30', totp: true });
  });

  it('a value-taking option consumes the next argument even when it starts with "-"; "--" ends options', () => {
    expect(parseArgs(['--password', '-x7-y'], SPECS).options.get('password')).toBe('-x7-y');
    const r = parseArgs(['-b', '--', '--digits', '-d'], SPECS);
    expect(r.positionals).toEqual(['--digits', '-d']);
    expect(r.options.has('digits')).toBe(false);
  });

  it('-h / --help anywhere asks for help', () => {
    expect(parseArgs(['-d', '8', '--help'], SPECS).help).toBe(true);
    expect(parseArgs(['-h'], SPECS).help).toBe(true);
  });

  it('refuses duplicates (alias included), unknown options, missing values and values on flags', () => {
    for (const argv of [
      ['-d', '6', '--digits', '8'],
      ['--period', '30', '--time-step-size', '30'],
      ['--digitz', '8'],
      ['-z'],
      ['--digits'],
      ['-d'],
      ['--base32=yes'],
      ['-bd'],
    ]) {
      expect(codeOf(() => parseArgs(argv, SPECS)), argv.join(' ')).toBe('ERR_CLI_USAGE');
    }
  });

  it('names an unknown option only when it looks like one', () => {
    const message = (argv: string[]) => {
      try {
        parseArgs(argv, SPECS);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    expect(message(['--digts=8'])).toBe('unknown option "--digts"');
    expect(message(['--JBSWY3DPEHPK3PXP'])).toBe('unknown option (not shown)');
  });
});

describe('value parsers', () => {
  it('parseInteger: decimal only, safe range, the caller\'s code', () => {
    expect(parseInteger('42', '--n', 'ERR_X')).toBe(42);
    expect(parseInteger('-7', '--n', 'ERR_X')).toBe(-7);
    for (const bad of ['', '1e3', '0x10', '1.5', ' 1', '9007199254740992', '+1']) expect(codeOf(() => parseInteger(bad, '--n', 'ERR_X')), bad).toBe('ERR_X');
  });

  it('parseTime: seconds, @seconds, UTC date-times; refuses zoneless or impossible dates', () => {
    expect(parseTime('1234567890', '--t', 'ERR_T')).toBe(1234567890);
    expect(parseTime('@-5', '--t', 'ERR_T')).toBe(-5);
    expect(parseTime('2009-02-13 23:31:30 UTC', '--t', 'ERR_T')).toBe(1234567890);
    expect(parseTime('1970-01-01T00:00:59Z', '--t', 'ERR_T')).toBe(59);
    for (const bad of ['2009-02-13 23:31:30', '2009-02-29 00:00:00 UTC', '2009-13-01T00:00:00Z', '2009-02-13 24:00:00 UTC', 'now', '@', `${2 ** 40 + 1}`]) {
      expect(codeOf(() => parseTime(bad, '--t', 'ERR_T')), bad).toBe('ERR_T');
    }
  });

  it('parseDuration: s, m, h suffixes', () => {
    expect([parseDuration('30', '--p', 'E'), parseDuration('30s', '--p', 'E'), parseDuration('2m', '--p', 'E'), parseDuration('1h', '--p', 'E')]).toEqual([30, 30, 120, 3600]);
    for (const bad of ['', '1d', '-30', '1.5m', 'm']) expect(codeOf(() => parseDuration(bad, '--p', 'E')), bad).toBe('E');
  });
});
