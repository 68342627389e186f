// The client seams of @cloudmfa/storage: a host's secure store behind SecureKeyValueStore.
import { createMemorySecureStore, secureStoreFromStringHost } from '@cloudmfa/storage';

const used = { createMemorySecureStore, secureStoreFromStringHost };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
