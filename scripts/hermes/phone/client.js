// The whole client: what an authenticator app built on @cloudmfa/client imports (the engine,
// the software device keys fallback, backups and Aegis import), with all its dependencies.
import { createAuthenticator, createSoftwareDeviceKeys, exportBackup, importAegis, importBackup } from '@cloudmfa/client';

const used = { createAuthenticator, createSoftwareDeviceKeys, exportBackup, importAegis, importBackup };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
