import { hotp, parseOtpauthUri, totp, totpStep } from '@cloudmfa/otp';
import { formatOtpauthUri } from '@cloudmfa/otp/server';
import { importMigration } from '@cloudmfa/otp/migration';

const used = { formatOtpauthUri, hotp, parseOtpauthUri, totp, totpStep, importMigration };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
