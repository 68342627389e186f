import { formatOtpauthUri } from '@cloudmfa/otp/server';
import { importMigration } from '@cloudmfa/otp/migration';
import type { Command } from '../internal/command.js';
import { accountInput, accountJson } from '../internal/json.js';

/** The otp importer's own cap on URIs per batch. */
const MAX_URIS = 1000;

/** `cloudmfa migration import URI...`: Google Authenticator migration URIs to otpauth:// URIs. */
export const migrationImportCommand: Command = {
  path: ['migration', 'import'],
  summary: 'convert otpauth-migration:// URIs (one batch) into otpauth:// URIs',
  usage: 'URI... [--json]',
  description: `Reads the otpauth-migration://offline?data= URIs of one export (one or more QR codes) and
prints one otpauth:// URI per account. --json prints one JSON line instead:
{"accounts":[...as uri parse, plus "uri"...],"version":V,"batchId":N,"batchSize":N,"indexes":[...],"complete":B}.
A batch with QR codes missing prints "warning BATCH_INCOMPLETE" on stderr. The output carries
the secrets.`,
  options: [{ name: 'json', value: 'none', help: 'print the whole import as one JSON line' }],
  positionals: { name: 'URI', min: 1, max: MAX_URIS },
  async run(ctx) {
    const uris = ctx.args.positionals;
    for (const uri of uris) ctx.sensitive(uri);
    const result = importMigration(uris);
    const accounts = result.accounts.map((a) => ({ parsed: a, uri: formatOtpauthUri(accountInput(a)).uri }));
    for (const a of accounts) ctx.sensitive(a.uri);
    if (ctx.flag('json')) {
      ctx.out(
        JSON.stringify({
          accounts: accounts.map((a) => ({ ...accountJson(a.parsed), uri: a.uri })),
          version: result.version,
          batchId: result.batchId,
          batchSize: result.batchSize,
          indexes: result.indexes,
          complete: result.complete,
        }),
      );
    } else {
      for (const a of accounts) ctx.out(a.uri);
    }
    accounts.forEach((a, i) => {
      for (const w of a.parsed.warnings) ctx.warn(w.code, `account #${i + 1}: ${w.message}`);
    });
    if (!result.complete) {
      ctx.warn('BATCH_INCOMPLETE', `the batch has ${result.batchSize} QR codes and ${result.indexes.length} were given`);
    }
    return 0;
  },
};
