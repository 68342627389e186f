// Every subcommand's bad inputs: exit 2, nothing on stdout, exactly one stderr line that starts
// with the expected code, no stack trace, and no secret (seed, password, URI) anywhere on stderr.
import { beforeAll, describe, expect, it } from 'vitest';
import { flipBit, editEnvelope, NOW_S, OFFLINE_URI, PASSWORD, SEED_B32, sealOffline } from './envelopeFixtures.js';
import { run, spawnBin } from './helpers.js';

const S = SEED_B32;
const URI = OFFLINE_URI;
const PW = ['--password', PASSWORD];
const COMPLETE_ONLINE_SECRET = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8';
/** Strings that must never reach stderr (compared case-insensitively; a dash-free password too). */
const SECRETS = [S, 'JBSWY3DPEHPK3PXP', PASSWORD, PASSWORD.replace(/-/g, ''), 'hunter2hunter2', 'MFRGG', COMPLETE_ONLINE_SECRET];

/** A complete online payload as a server makes it (valid: the cases change one field). */
const COMPLETE_ONLINE = {
  activationId: 'AAECAwQFBgcICQoLDA0ODw',
  activationSecret: COMPLETE_ONLINE_SECRET,
  issuer: 'A',
  origin: 'https://mfa.acme.test',
  policy: { pinRequired: false, minPinLength: 6, biometricsAllowed: true },
  otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
};

type Case = { name: string; argv: string[] | (() => string[]); code: string; stdin?: string; env?: Record<string, string> };

let sealed = '';
beforeAll(async () => {
  sealed = await sealOffline();
});

const cases: Case[] = [
  // The command line itself
  { name: 'no command', argv: [], code: 'ERR_CLI_USAGE' },
  { name: 'unknown command', argv: ['frobnicate'], code: 'ERR_CLI_USAGE' },
  { name: 'a secret where the command goes', argv: [S], code: 'ERR_CLI_USAGE' },
  { name: 'group without subcommand', argv: ['uri'], code: 'ERR_CLI_USAGE' },
  { name: 'unknown subcommand', argv: ['envelope', 'burn'], code: 'ERR_CLI_USAGE' },
  { name: 'help for an unknown command', argv: ['help', 'nope'], code: 'ERR_CLI_USAGE' },

  // secret
  { name: 'secret: too few bytes', argv: ['secret', '--bytes', '8'], code: 'ERR_OTP_SECRET' },
  { name: 'secret: too many bytes', argv: ['secret', '--bytes', '1025'], code: 'ERR_OTP_SECRET' },
  { name: 'secret: --bytes not a number', argv: ['secret', '--bytes', '1e3'], code: 'ERR_OTP_SECRET' },
  { name: 'secret: --bytes without value', argv: ['secret', '--bytes'], code: 'ERR_CLI_USAGE' },
  { name: 'secret: --bytes twice', argv: ['secret', '--bytes', '20', '--bytes', '20'], code: 'ERR_CLI_USAGE' },
  { name: 'secret: positional', argv: ['secret', 'extra'], code: 'ERR_CLI_USAGE' },

  // code
  { name: 'code: no --secret', argv: ['code'], code: 'ERR_CLI_USAGE' },
  { name: 'code: not base32', argv: ['code', '--secret', 'hunter2hunter2!'], code: 'ERR_BASE32_INVALID' },
  { name: 'code: secret under 80 bits', argv: ['code', '--secret', 'MFRGG'], code: 'ERR_OTP_SECRET' },
  { name: 'code: empty secret on stdin', argv: ['code', '--secret', '-'], stdin: '\n', code: 'ERR_BASE32_INVALID' },
  { name: 'code: secret file missing', argv: ['code', '--secret', '@/nonexistent/seed'], code: 'ERR_CLI_INPUT' },
  { name: 'code: digits 5', argv: ['code', '--secret', S, '--digits', '5'], code: 'ERR_OTP_DIGITS' },
  { name: 'code: digits 11', argv: ['code', '--secret', S, '-d', '11'], code: 'ERR_OTP_DIGITS' },
  { name: 'code: digits not a number', argv: ['code', '--secret', S, '-d', 'six'], code: 'ERR_OTP_DIGITS' },
  { name: 'code: unknown algorithm', argv: ['code', '--secret', S, '--algorithm', 'md5'], code: 'ERR_OTP_ALGORITHM' },
  { name: 'code: unknown --totp mode', argv: ['code', '--secret', S, '--totp=SHA3'], code: 'ERR_OTP_ALGORITHM' },
  { name: 'code: --totp=ALG vs --algorithm', argv: ['code', '--secret', S, '--totp=SHA1', '--algorithm', 'sha256'], code: 'ERR_CLI_USAGE' },
  { name: 'code: period 0', argv: ['code', '--secret', S, '--period', '0'], code: 'ERR_OTP_PERIOD' },
  { name: 'code: period over a year', argv: ['code', '--secret', S, '-s', '9000h'], code: 'ERR_OTP_PERIOD' },
  { name: 'code: period unit', argv: ['code', '--secret', S, '-s', '1d'], code: 'ERR_OTP_PERIOD' },
  { name: 'code: time before t0', argv: ['code', '--secret', S, '--time', '5', '--t0', '10'], code: 'ERR_OTP_TIME' },
  { name: 'code: time not a time', argv: ['code', '--secret', S, '--time', 'yesterday'], code: 'ERR_OTP_TIME' },
  { name: 'code: impossible date', argv: ['code', '--secret', S, '--time', '2009-02-30 00:00:00 UTC'], code: 'ERR_OTP_TIME' },
  { name: 'code: date without zone', argv: ['code', '--secret', S, '-N', '2009-02-13 23:31:30'], code: 'ERR_OTP_TIME' },
  { name: 'code: time out of range', argv: ['code', '--secret', S, '-N', '@99999999999999'], code: 'ERR_OTP_TIME' },
  { name: 'code: t0 not a time', argv: ['code', '--secret', S, '--t0', '0x10'], code: 'ERR_OTP_T0' },
  { name: 'code: negative counter', argv: ['code', '--secret', S, '--counter', '-1'], code: 'ERR_OTP_COUNTER' },
  { name: 'code: counter 2^53', argv: ['code', '--secret', S, '-c', '9007199254740992'], code: 'ERR_OTP_COUNTER' },
  { name: 'code: --hotp without --counter', argv: ['code', '--secret', S, '--hotp'], code: 'ERR_CLI_USAGE' },
  { name: 'code: --totp and --hotp', argv: ['code', '--secret', S, '--totp', '--hotp', '-c', '1'], code: 'ERR_CLI_USAGE' },
  { name: 'code: --counter with --totp', argv: ['code', '--secret', S, '--totp', '-c', '1'], code: 'ERR_CLI_USAGE' },
  { name: 'code: --period with HOTP', argv: ['code', '--secret', S, '-c', '1', '--period', '30'], code: 'ERR_CLI_USAGE' },
  { name: 'code: window over the cap', argv: ['code', '--secret', S, '-w', '1001'], code: 'ERR_OTP_WINDOW' },
  { name: 'code: unknown long option', argv: ['code', '--secret', S, '--digts', '8'], code: 'ERR_CLI_USAGE' },
  { name: 'code: mistyped option carrying the secret', argv: ['code', `--sercet=${S}`], code: 'ERR_CLI_USAGE' },
  { name: 'code: unknown short option', argv: ['code', '--secret', S, '-x'], code: 'ERR_CLI_USAGE' },
  { name: 'code: value on a flag', argv: ['code', '--secret', S, '--hotp=1'], code: 'ERR_CLI_USAGE' },
  { name: 'code: value glued to a short flag', argv: ['code', '--secret', S, '-b8'], code: 'ERR_CLI_USAGE' },
  { name: 'code: secret as a positional', argv: ['code', S], code: 'ERR_CLI_USAGE' },

  // verify
  { name: 'verify: no --code', argv: ['verify', '--secret', S], code: 'ERR_CLI_USAGE' },
  { name: 'verify: no --secret', argv: ['verify', '--code', '123456'], code: 'ERR_CLI_USAGE' },
  { name: 'verify: bad secret', argv: ['verify', '--secret', 'hunter2hunter2!', '--code', '123456'], code: 'ERR_BASE32_INVALID' },
  { name: 'verify: TOTP window 11', argv: ['verify', '--secret', S, '--code', '123456', '--window', '11'], code: 'ERR_OTP_WINDOW' },
  { name: 'verify: window not a number', argv: ['verify', '--secret', S, '--code', '123456', '-w', 'wide'], code: 'ERR_OTP_WINDOW' },
  { name: 'verify: HOTP look-ahead 1001', argv: ['verify', '--secret', S, '--code', '123456', '-c', '0', '-w', '1001'], code: 'ERR_OTP_WINDOW' },
  { name: 'verify: --after-step not a number', argv: ['verify', '--secret', S, '--code', '123456', '--after-step', 'last'], code: 'ERR_OTP_AFTER_STEP' },
  { name: 'verify: --after-step with HOTP', argv: ['verify', '--secret', S, '--code', '123456', '-c', '0', '--after-step', '1'], code: 'ERR_CLI_USAGE' },
  { name: 'verify: digits 12', argv: ['verify', '--secret', S, '--code', '123456', '-d', '12'], code: 'ERR_OTP_DIGITS' },

  // uri make
  { name: 'uri make: no --account', argv: ['uri', 'make', '--secret', S], code: 'ERR_CLI_USAGE' },
  { name: 'uri make: no --secret', argv: ['uri', 'make', '--account', 'a'], code: 'ERR_CLI_USAGE' },
  { name: 'uri make: bad secret', argv: ['uri', 'make', '--secret', 'hunter2hunter2!', '--account', 'a'], code: 'ERR_OTPAUTH_SECRET' },
  { name: 'uri make: account led by a space', argv: ['uri', 'make', '--secret', S, '--account', ' a'], code: 'ERR_OTPAUTH_LABEL' },
  { name: 'uri make: empty issuer', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--issuer', ''], code: 'ERR_OTPAUTH_ISSUER' },
  { name: 'uri make: digits 11', argv: ['uri', 'make', '--secret', S, '--account', 'a', '-d', '11'], code: 'ERR_OTPAUTH_DIGITS' },
  { name: 'uri make: digits not a number', argv: ['uri', 'make', '--secret', S, '--account', 'a', '-d', 'x'], code: 'ERR_OTPAUTH_DIGITS' },
  { name: 'uri make: algorithm', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--algorithm', 'sha384'], code: 'ERR_OTPAUTH_ALGORITHM' },
  { name: 'uri make: period 0', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--period', '0'], code: 'ERR_OTPAUTH_PERIOD' },
  { name: 'uri make: counter', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--counter', 'x'], code: 'ERR_OTPAUTH_COUNTER' },
  { name: 'uri make: --qr jpeg', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--qr', 'jpeg'], code: 'ERR_CLI_USAGE' },
  { name: 'uri make: --qr png without --out', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--qr', 'png'], code: 'ERR_CLI_USAGE' },
  { name: 'uri make: --out without --qr', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--out', 'x.png'], code: 'ERR_CLI_USAGE' },
  { name: 'uri make: unwritable --out', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--qr', 'png', '--out', '/nonexistent/dir/qr.png'], code: 'ERR_CLI_OUTPUT' },
  { name: 'uri make: --time is not an option', argv: ['uri', 'make', '--secret', S, '--account', 'a', '--time', '5'], code: 'ERR_CLI_USAGE' },

  // uri parse
  { name: 'uri parse: no URI', argv: ['uri', 'parse'], code: 'ERR_CLI_USAGE' },
  { name: 'uri parse: two URIs', argv: ['uri', 'parse', URI, URI], code: 'ERR_CLI_USAGE' },
  { name: 'uri parse: scheme', argv: ['uri', 'parse', `https://example.com/?secret=${S}`], code: 'ERR_OTPAUTH_SCHEME' },
  { name: 'uri parse: type', argv: ['uri', 'parse', `otpauth://motp/a?secret=${S}`], code: 'ERR_OTPAUTH_TYPE' },
  { name: 'uri parse: secret missing', argv: ['uri', 'parse', 'otpauth://totp/a?issuer=x'], code: 'ERR_OTPAUTH_SECRET' },
  { name: 'uri parse: secret not base32', argv: ['uri', 'parse', 'otpauth://totp/a?secret=hunter2hunter2'], code: 'ERR_OTPAUTH_SECRET' },
  { name: 'uri parse: issuer mismatch', argv: ['uri', 'parse', `otpauth://totp/A:a?secret=${S}&issuer=B`], code: 'ERR_OTPAUTH_ISSUER_MISMATCH' },
  { name: 'uri parse: raw plus', argv: ['uri', 'parse', `otpauth://totp/A+B:a?secret=${S}`], code: 'ERR_OTPAUTH_ENCODING' },
  { name: 'uri parse: digits 5', argv: ['uri', 'parse', `otpauth://totp/a?secret=${S}&digits=5`], code: 'ERR_OTPAUTH_DIGITS' },
  { name: 'uri parse: period', argv: ['uri', 'parse', `otpauth://totp/a?secret=${S}&period=0`], code: 'ERR_OTPAUTH_PERIOD' },
  { name: 'uri parse: HOTP without counter', argv: ['uri', 'parse', `otpauth://hotp/a?secret=${S}`], code: 'ERR_OTPAUTH_COUNTER' },
  { name: 'uri parse: unknown parameter', argv: ['uri', 'parse', `otpauth://totp/a?secret=${S}&foo=1`], code: 'ERR_OTPAUTH_PARAMETER' },
  { name: 'uri parse: too long', argv: ['uri', 'parse', `otpauth://totp/${'a'.repeat(5000)}?secret=${S}`], code: 'ERR_OTPAUTH_TOO_LONG' },
  { name: 'uri parse: unknown option', argv: ['uri', 'parse', URI, '--loose'], code: 'ERR_CLI_USAGE' },

  // migration export
  { name: 'migration export: no URI', argv: ['migration', 'export'], code: 'ERR_CLI_USAGE' },
  { name: 'migration export: not otpauth', argv: ['migration', 'export', 'hello'], code: 'ERR_OTPAUTH_SCHEME' },
  { name: 'migration export: 7 digits', argv: ['migration', 'export', `otpauth://totp/a?secret=${S}&digits=7`], code: 'ERR_MIGRATION_DIGITS' },
  { name: 'migration export: 60 s period', argv: ['migration', 'export', `otpauth://totp/a?secret=${S}&period=60`], code: 'ERR_MIGRATION_PERIOD' },
  { name: 'migration export: --max-per-uri 0', argv: ['migration', 'export', URI, '--max-per-uri', '0'], code: 'ERR_MIGRATION_BATCH' },
  { name: 'migration export: --batch-id text', argv: ['migration', 'export', URI, '--batch-id', 'one'], code: 'ERR_MIGRATION_BATCH' },
  { name: 'migration export: --batch-id over int32', argv: ['migration', 'export', URI, '--batch-id', '4294967296'], code: 'ERR_MIGRATION_BATCH' },

  // migration import
  { name: 'migration import: no URI', argv: ['migration', 'import'], code: 'ERR_CLI_USAGE' },
  { name: 'migration import: an otpauth URI', argv: ['migration', 'import', URI], code: 'ERR_MIGRATION_SCHEME' },
  { name: 'migration import: bad escape', argv: ['migration', 'import', 'otpauth-migration://offline?data=%%%'], code: 'ERR_MIGRATION_DATA' },
  { name: 'migration import: no data', argv: ['migration', 'import', 'otpauth-migration://offline?x=1'], code: 'ERR_MIGRATION_DATA' },
  { name: 'migration import: truncated varint', argv: ['migration', 'import', 'otpauth-migration://offline?data=%2F%2F%2F%2F%2Fw'], code: 'ERR_MIGRATION_VARINT' },
  { name: 'migration import: bad protobuf', argv: ['migration', 'import', 'otpauth-migration://offline?data=AAAA'], code: 'ERR_MIGRATION_PROTOBUF' },

  // envelope seal
  { name: 'seal: neither --uri nor --online-json', argv: ['envelope', 'seal', ...PW], code: 'ERR_CLI_USAGE' },
  { name: 'seal: both --uri and --online-json', argv: ['envelope', 'seal', '--uri', URI, '--online-json', 'x.json', ...PW], code: 'ERR_CLI_USAGE' },
  { name: 'seal: no password', argv: ['envelope', 'seal', '--uri', URI], code: 'ERR_CLI_USAGE' },
  { name: 'seal: two password sources', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--password-env', 'PW'], env: { PW: PASSWORD }, code: 'ERR_CLI_USAGE' },
  { name: 'seal: password too short', argv: ['envelope', 'seal', '--uri', URI, '--password', 'short'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: password not ASCII', argv: ['envelope', 'seal', '--uri', URI, '--password', 'hunter2hunter2é'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: empty password', argv: ['envelope', 'seal', '--uri', URI, '--password', ''], code: 'ERR_CLI_INPUT' },
  { name: 'seal: --password-env unset', argv: ['envelope', 'seal', '--uri', URI, '--password-env', 'NOPE'], code: 'ERR_CLI_INPUT' },
  { name: 'seal: the password given to --password-env by mistake', argv: ['envelope', 'seal', '--uri', URI, '--password-env', 'hunter2hunter2'], code: 'ERR_CLI_INPUT' },
  { name: 'seal: --password-env not a name', argv: ['envelope', 'seal', '--uri', URI, '--password-env', 'A B'], code: 'ERR_CLI_USAGE' },
  { name: 'seal: --password-stdin and --online-json -', argv: ['envelope', 'seal', '--online-json', '-', '--password-stdin'], stdin: '{}', code: 'ERR_CLI_USAGE' },
  { name: 'seal: --ttl 0', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--ttl', '0'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: --ttl in days', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--ttl', '1d'], code: 'ERR_INVALID_ARGUMENT' },
  // Envelope v1 stores the lifetime in 16 bits: 65535 s (18 h 12 min) at most.
  { name: 'seal: --ttl 65536', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--ttl', '65536'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: --ttl 19h', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--ttl', '19h'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: --ttl a week (the old limit)', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--ttl', '604800'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: --now not a time', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--now', 'soon'], code: 'ERR_INVALID_ARGUMENT' },
  // The header's issuedAt is u32 seconds (the expiry is issuedAt + a u16 lifetime): 2^32 is 2106-02-07T06:28:16Z.
  { name: 'seal: --now past 2106', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--now', '4294967296'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: --kdf argon2', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--kdf', 'argon2'], code: 'ERR_CLI_USAGE' },
  { name: 'seal: --pin-length 3', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--pin-length', '3'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: --lenient without --uri', argv: ['envelope', 'seal', '--online-json', 'x.json', '--lenient', ...PW], code: 'ERR_CLI_USAGE' },
  { name: 'seal: bad --uri', argv: ['envelope', 'seal', '--uri', 'otpauth://totp/a?secret=hunter2hunter2', ...PW], code: 'ERR_OTPAUTH_SECRET' },
  { name: 'seal: seed too long for an envelope', argv: ['envelope', 'seal', '--uri', `otpauth://totp/a?secret=${S.repeat(4)}`, ...PW], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'seal: --online-json missing file', argv: ['envelope', 'seal', '--online-json', '/nonexistent.json', ...PW], code: 'ERR_CLI_INPUT' },
  { name: 'seal: --online-json not JSON', argv: ['envelope', 'seal', '--online-json', '-', ...PW], stdin: '{issuer:', code: 'ERR_CLI_JSON' },
  { name: 'seal: --online-json an array', argv: ['envelope', 'seal', '--online-json', '-', ...PW], stdin: '[]', code: 'ERR_CLI_JSON' },
  { name: 'seal: --online-json offline mode', argv: ['envelope', 'seal', '--online-json', '-', ...PW], stdin: '{"mode":"offline"}', code: 'ERR_CLI_JSON' },
  {
    name: 'seal: --online-json unknown field',
    argv: ['envelope', 'seal', '--online-json', '-', ...PW],
    stdin: '{"issuer":"A","origin":"https://mfa.acme.test","seed":"x"}',
    code: 'ERR_CLI_JSON',
  },
  {
    // The first draft of the online payload carried the account; the revised one does not.
    name: 'seal: --online-json with an account (ids generated)',
    argv: ['envelope', 'seal', '--online-json', '-', ...PW],
    stdin: '{"issuer":"A","account":"b","origin":"https://mfa.acme.test"}',
    code: 'ERR_CLI_JSON',
  },
  {
    name: 'seal: --online-json complete payload with an account',
    argv: ['envelope', 'seal', '--online-json', '-', ...PW],
    stdin: JSON.stringify({ ...COMPLETE_ONLINE, account: 'b' }),
    code: 'ERR_CLI_JSON',
  },
  {
    name: 'seal: --online-json plain-http origin',
    argv: ['envelope', 'seal', '--online-json', '-', ...PW],
    stdin: '{"issuer":"A","origin":"http://mfa.acme.test"}',
    code: 'ERR_INVALID_ARGUMENT',
  },
  {
    name: 'seal: --online-json short activation secret',
    argv: ['envelope', 'seal', '--online-json', '-', ...PW],
    stdin: JSON.stringify({ ...COMPLETE_ONLINE, activationSecret: 'hunter2hunter2' }),
    code: 'ERR_INVALID_ARGUMENT',
  },
  { name: 'seal: --qr svg without --out', argv: ['envelope', 'seal', '--uri', URI, ...PW, '--qr', 'svg'], code: 'ERR_CLI_USAGE' },

  // envelope open
  { name: 'open: no text', argv: ['envelope', 'open', ...PW], code: 'ERR_CLI_USAGE' },
  { name: 'open: no password', argv: () => ['envelope', 'open', sealed], code: 'ERR_CLI_USAGE' },
  { name: 'open: wrong password', argv: () => ['envelope', 'open', sealed, '--password', 'hunter2hunter2', '--now', String(NOW_S)], code: 'ERR_ENVELOPE_DECRYPT' },
  { name: 'open: right password, tampered tag', argv: () => ['envelope', 'open', flipBit(sealed, -1), ...PW, '--now', String(NOW_S)], code: 'ERR_ENVELOPE_DECRYPT' },
  { name: 'open: right password, tampered issue time', argv: () => ['envelope', 'open', flipBit(sealed, 49), ...PW, '--now', String(NOW_S)], code: 'ERR_ENVELOPE_DECRYPT' },
  { name: 'open: expired', argv: () => ['envelope', 'open', sealed, ...PW, '--now', String(NOW_S + 300 + 61)], code: 'ERR_ENVELOPE_EXPIRED' },
  { name: 'open: lowercase text', argv: () => ['envelope', 'open', sealed.toLowerCase(), ...PW], code: 'ERR_ENVELOPE_MALFORMED' },
  { name: 'open: trailing space', argv: () => ['envelope', 'open', `${sealed}\n`, ...PW], code: 'ERR_ENVELOPE_MALFORMED' },
  { name: 'open: an otpauth URI', argv: ['envelope', 'open', URI, ...PW], code: 'ERR_ENVELOPE_MALFORMED' },
  { name: 'open: truncated header', argv: () => ['envelope', 'open', editEnvelope(sealed, (b) => b.slice(0, 20)), ...PW], code: 'ERR_ENVELOPE_MALFORMED' },
  { name: 'open: too long', argv: ['envelope', 'open', `CMFA:${'0'.repeat(5000)}`, ...PW], code: 'ERR_ENVELOPE_TOO_LARGE' },
  { name: 'open: version 2', argv: () => ['envelope', 'open', editEnvelope(sealed, (b) => ((b[0] = 2), b)), ...PW], code: 'ERR_ENVELOPE_VERSION' },
  { name: 'open: scrypt cost over the cap', argv: () => ['envelope', 'open', editEnvelope(sealed, (b) => ((b[3] = 24), b)), ...PW], code: 'ERR_ENVELOPE_KDF_COST' },
  { name: 'open: --now not a time', argv: () => ['envelope', 'open', sealed, ...PW, '--now', 'later'], code: 'ERR_INVALID_ARGUMENT' },
  { name: 'open: two texts', argv: () => ['envelope', 'open', sealed, sealed, ...PW], code: 'ERR_CLI_USAGE' },
  { name: 'open: text and password both on stdin', argv: ['envelope', 'open', '-', '--password-stdin'], stdin: 'x', code: 'ERR_CLI_USAGE' },

  // envelope password
  { name: 'password: positional', argv: ['envelope', 'password', 'now'], code: 'ERR_CLI_USAGE' },
  { name: 'password: unknown option', argv: ['envelope', 'password', '--length', '20'], code: 'ERR_CLI_USAGE' },
];

function expectCleanFailure(r: { status: number; stdout: string; stderr: string }, code: string): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${code}: \\S`));
  expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+|Error:|node:internal/);
  const upper = r.stderr.toUpperCase();
  for (const s of SECRETS) expect(upper, `stderr leaks ${s}`).not.toContain(s.toUpperCase());
}

describe('bad input: exit 2 and one "CODE: message" line on stderr', () => {
  it.each(cases)('$name -> $code', async (c) => {
    const argv = typeof c.argv === 'function' ? c.argv() : c.argv;
    const r = await run(argv, { ...(c.stdin === undefined ? {} : { stdin: c.stdin }), ...(c.env === undefined ? {} : { env: c.env }), now: 1_700_000_000_000 });
    expectCleanFailure(r, c.code);
  });
});

describe('bad input through the built executable', () => {
  const picked = ['code: not base32', 'verify: TOTP window 11', 'uri parse: issuer mismatch', 'seal: password too short', 'open: wrong password', 'open: expired'];
  it.each(cases.filter((c) => picked.includes(c.name)))('$name -> $code', (c) => {
    const argv = typeof c.argv === 'function' ? c.argv() : c.argv;
    expectCleanFailure(spawnBin(argv, { ...(c.stdin === undefined ? {} : { input: c.stdin }), ...(c.env === undefined ? {} : { env: c.env }) }), c.code);
  });

  it('a wrong password on stdin is not echoed', () => {
    const r = spawnBin(['envelope', 'open', sealed, '--password-stdin', '--now', String(NOW_S)], { input: 'hunter2hunter2\n' });
    expectCleanFailure(r, 'ERR_ENVELOPE_DECRYPT');
  });
});
