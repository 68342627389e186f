// The whole client with the opt-in Aegis import (`@cloudmfa/client/aegis`, passed to
// createAuthenticator as `aegis`): what an app that offers the move from Aegis ships.
import { createAuthenticator, createSoftwareDeviceKeys, exportBackup, importBackup } from '@cloudmfa/client';
import { importAegis } from '@cloudmfa/client/aegis';

const used = { createAuthenticator, createSoftwareDeviceKeys, exportBackup, importAegis, importBackup };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
