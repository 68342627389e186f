import { openEnvelope } from '@cloudmfa/activation';
import { formatOtpauthUri } from '@cloudmfa/otp/server';
import type { Command } from '../internal/command.js';
import { PASSWORD_OPTIONS, readPassword } from '../internal/inputs.js';
import { nodeCryptoProvider } from '../internal/nodeCrypto.js';
import { parseTime } from '../internal/values.js';

/** `cloudmfa envelope open TEXT`: the payload as JSON. */
export const envelopeOpenCommand: Command = {
  path: ['envelope', 'open'],
  summary: 'open an activation envelope and print its payload as JSON',
  usage: 'TEXT (--password-stdin | --password-env NAME | --password P) [--now T]',
  description: `Opens the envelope text (CMFA:...; "-" reads it from the first line of standard input) and
prints one JSON line: the payload (mode, issuer, policy, otp; online: activationId,
activationSecret, origin; offline: account, secret and the otpauth:// "uri"), with issuedAt and
expiresAt in Unix seconds. An online envelope has no account: the server sends it at redemption. The output carries secrets. A wrong password and a damaged envelope both fail
with ERR_ENVELOPE_DECRYPT; ERR_ENVELOPE_EXPIRED (past expiry + 60 s), ERR_ENVELOPE_MALFORMED,
ERR_ENVELOPE_VERSION, ERR_ENVELOPE_KDF_COST and ERR_ENVELOPE_TOO_LARGE each have their own code.`,
  options: [
    ...PASSWORD_OPTIONS,
    { name: 'now', value: 'required', valueName: 'T', help: 'the time to check expiry against: Unix seconds, @SECONDS or "YYYY-MM-DD HH:MM:SS UTC"' },
  ],
  positionals: { name: 'TEXT', min: 1, max: 1 },
  async run(ctx) {
    const arg = ctx.args.positionals[0] as string;
    // Only a line break is trimmed: a space is a base45 digit.
    const text = arg === '-' ? (/^[^\r\n]*/.exec(await ctx.readStdin('TEXT -')) as RegExpExecArray)[0] : arg;
    ctx.sensitive(text);
    const nowText = ctx.value('now');
    const nowMs = nowText === undefined ? undefined : parseTime(nowText, '--now', 'ERR_INVALID_ARGUMENT') * 1000;
    const password = await readPassword(ctx);
    const opened = await openEnvelope({ text, password, now: nowMs === undefined ? ctx.now : () => nowMs, crypto: nodeCryptoProvider() });
    const { payload, header } = opened;
    if (payload.mode === 'online') ctx.sensitive(payload.activationSecret);
    else ctx.sensitive(payload.secret);
    const times = { issuedAt: header.issuedAt / 1000, expiresAt: header.expiresAt / 1000 };
    if (payload.mode === 'offline') {
      const { otp } = payload;
      const common = { secret: payload.secret, account: payload.account, algorithm: otp.algorithm, digits: otp.digits, ...(payload.issuer === '' ? {} : { issuer: payload.issuer }) };
      const { uri } = formatOtpauthUri(otp.type === 'totp' ? { ...common, type: 'totp', period: otp.period } : { ...common, type: 'hotp', counter: otp.counter });
      ctx.out(JSON.stringify({ ...payload, ...times, uri }));
    } else {
      ctx.out(JSON.stringify({ ...payload, ...times }));
    }
    return 0;
  },
};
