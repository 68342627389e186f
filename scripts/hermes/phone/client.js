// The whole client: what an authenticator app built on @cloudmfa/client imports (the engine,
// the software device keys fallback, backups), with all its dependencies. The Aegis import is
// opt-in (client-aegis.js).
import { createAuthenticator, createSoftwareDeviceKeys, exportBackup, importBackup } from '@cloudmfa/client';

const used = { createAuthenticator, createSoftwareDeviceKeys, exportBackup, importBackup };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
