// `@cloudmfa/storage/client`: the phone's seams alone (the secure key-value store a host maps to
// Keychain / Keystore / SecureStore / IndexedDB, and the adapters onto string hosts and memory).
// The main entry also exports them, but it carries the server's memory store: under React
// Native's Metro, which does not tree-shake, a phone importing the main entry ships it.
export { createMemorySecureStore } from './createMemorySecureStore.js';
export { type StringKeyValueHost, secureStoreFromStringHost } from './secureStoreFromStringHost.js';
export type { SecureKeyValueStore } from './types.js';
