// The client seams of @cloudmfa/storage (its `/client` entry): a host's secure store behind
// SecureKeyValueStore, without the server's memory store the main entry carries.
import { createMemorySecureStore, secureStoreFromStringHost } from '@cloudmfa/storage/client';

const used = { createMemorySecureStore, secureStoreFromStringHost };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
