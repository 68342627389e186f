import { type OtpauthInput } from '@cloudmfa/otp';
import { formatOtpauthUri } from '@cloudmfa/otp/server';
import type { Command } from '../internal/command.js';
import { usage } from '../internal/errors.js';
import { readSecret, SECRET_OPTION } from '../internal/inputs.js';
import { BASE32_OPTION, MODE_OPTIONS, OTPAUTH_CODES, readMode } from '../internal/otpOptions.js';
import { QR_OPTIONS, readQrRequest, renderQr } from '../internal/qrOutput.js';

/** `cloudmfa uri make`: an otpauth:// URI, optionally its QR code. */
export const uriMakeCommand: Command = {
  path: ['uri', 'make'],
  summary: 'print an otpauth:// URI (Google Authenticator Key Uri Format), optionally its QR code',
  usage: '--secret B32 --account A [--issuer I] [--totp[=ALG] | --hotp --counter N] [--digits N] [--algorithm ALG] [--period S] [--qr terminal|svg|png [--out FILE]]',
  description: `Prints the otpauth:// URI. Issuer and account are percent-encoded, so a colon or a space in
them round-trips. Warnings (GA_ALGORITHM, GA_DIGITS, GA_PERIOD: Google Authenticator may ignore
the value; SECRET_SHORT; ISSUER_MISSING) go to stderr. --qr terminal prints the QR code after the
URI; --qr svg|png --out FILE writes an image. The URI and its QR carry the secret.`,
  options: [
    SECRET_OPTION,
    { name: 'account', value: 'required', valueName: 'A', help: 'the account name, e.g. alice@example.com' },
    { name: 'issuer', value: 'required', valueName: 'I', help: 'the issuer (service) name; recommended' },
    ...MODE_OPTIONS,
    ...QR_OPTIONS,
    BASE32_OPTION,
  ],
  positionals: { name: 'argument', min: 0, max: 0 },
  async run(ctx) {
    const account = ctx.value('account');
    if (account === undefined) usage('--account is required');
    const issuer = ctx.value('issuer');
    const mode = readMode(ctx, OTPAUTH_CODES);
    const qr = readQrRequest(ctx);
    const secret = await readSecret(ctx);
    const common = { secret, account, algorithm: mode.algorithm, digits: mode.digits, ...(issuer === undefined ? {} : { issuer }) };
    const input: OtpauthInput =
      mode.type === 'totp' ? { ...common, type: 'totp', period: mode.period } : { ...common, type: 'hotp', counter: mode.counter };
    const { uri, warnings } = formatOtpauthUri(input);
    ctx.sensitive(uri);
    const terminal = qr === undefined ? undefined : await renderQr(ctx, qr, uri, 'auto');
    ctx.out(uri);
    if (terminal !== undefined) ctx.write(terminal.endsWith('\n') ? terminal : `${terminal}\n`);
    for (const w of warnings) ctx.warn(w.code, w.message);
    return 0;
  },
};
