import { parseOtpauthUri } from '@cloudmfa/otp';
import type { Command } from '../internal/command.js';
import { accountJson, secretParameterOf } from '../internal/json.js';

/** `cloudmfa uri parse URI [--lenient]`: the URI's fields as JSON. */
export const uriParseCommand: Command = {
  path: ['uri', 'parse'],
  summary: 'print the fields of an otpauth:// URI as JSON',
  usage: 'URI [--lenient]',
  description: `Prints one JSON line: type, issuer, account, secret (base32), algorithm, digits, period (TOTP)
or counter (HOTP), labelIssuer and extraParameters when present, and warnings. Strict by
default, with a distinct ERR_OTPAUTH_* code per problem; --lenient accepts real-world URIs
(a "+" for a space, a label prefix that differs from issuer=, unknown parameters, ...) and
lists what it tolerated in "warnings".`,
  options: [{ name: 'lenient', value: 'none', help: 'accept common deviations and report them as warnings' }],
  positionals: { name: 'URI', min: 1, max: 1 },
  async run(ctx) {
    const uri = ctx.args.positionals[0] as string;
    ctx.sensitive(uri);
    const secret = secretParameterOf(uri);
    if (secret !== undefined) ctx.sensitive(secret);
    const parsed = parseOtpauthUri({ uri, lenient: ctx.flag('lenient') });
    ctx.out(JSON.stringify(accountJson(parsed)));
    return 0;
  },
};
