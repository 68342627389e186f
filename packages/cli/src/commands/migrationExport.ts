import { parseOtpauthUri } from '@cloudmfa/otp';
import { exportMigration } from '@cloudmfa/otp/server';
import type { Command } from '../internal/command.js';
import { accountInput, secretParameterOf } from '../internal/json.js';
import { parseInteger } from '../internal/values.js';

/** Most URIs one run reads (the migration format's own batch cap is larger; a shell's is smaller). */
const MAX_URIS = 1000;

/** `cloudmfa migration export URI...`: otpauth:// URIs to Google Authenticator migration URIs. */
export const migrationExportCommand: Command = {
  path: ['migration', 'export'],
  summary: 'convert otpauth:// URIs into otpauth-migration:// URIs (Google Authenticator transfer QR codes)',
  usage: 'URI... [--lenient] [--max-per-uri N] [--batch-id N]',
  description: `Reads otpauth:// URIs and prints otpauth-migration://offline?data= URIs, one per line (one per
QR code), at most --max-per-uri accounts each (1..100, default 10). The format carries SHA1,
SHA256, SHA512, 6 or 8 digits and a 30 s period only; anything else fails with its
ERR_MIGRATION_* code. A label prefix that differs from issuer= and unknown parameters have no
field: they are dropped with a "warning DROPPED" line. The output carries the secrets.`,
  options: [
    { name: 'lenient', value: 'none', help: 'parse the input URIs leniently (see uri parse)' },
    { name: 'max-per-uri', value: 'required', valueName: 'N', help: 'accounts per migration URI, 1..100 (default 10)' },
    { name: 'batch-id', value: 'required', valueName: 'N', help: 'the int32 batch id (default: random)' },
  ],
  positionals: { name: 'URI', min: 1, max: MAX_URIS },
  async run(ctx) {
    const uris = ctx.args.positionals;
    for (const uri of uris) {
      ctx.sensitive(uri);
      const secret = secretParameterOf(uri);
      if (secret !== undefined) ctx.sensitive(secret);
    }
    const maxText = ctx.value('max-per-uri');
    const idText = ctx.value('batch-id');
    const lenient = ctx.flag('lenient');
    const accounts = uris.map((uri, i) => {
      const parsed = parseOtpauthUri({ uri, lenient });
      for (const w of parsed.warnings) ctx.warn(w.code, `URI #${i + 1}: ${w.message}`);
      if (parsed.labelIssuer !== undefined) ctx.warn('DROPPED', `URI #${i + 1}: the label prefix that differs from the issuer is not exported`);
      if (parsed.extraParameters !== undefined) ctx.warn('DROPPED', `URI #${i + 1}: unknown parameters are not exported`);
      return accountInput(parsed);
    });
    const out = exportMigration({
      accounts,
      random: ctx.random,
      ...(maxText === undefined ? {} : { maxPerUri: parseInteger(maxText, '--max-per-uri', 'ERR_MIGRATION_BATCH') }),
      ...(idText === undefined ? {} : { batchId: parseInteger(idText, '--batch-id', 'ERR_MIGRATION_BATCH') }),
    });
    for (const uri of out) ctx.out(uri);
    return 0;
  },
};
