// The web host: the browser's equivalents of the phone's modules.
// - vault storage: localStorage through secureStoreFromStringHost. A browser has no
//   hardware-backed store, so the PIN (and the vault's KDF) is the protection here; the vault
//   is sealed with AEAD either way (docs/protocol/vault.md).
// - crypto: WebCrypto for P-256 verification; scrypt is the SDK's pure JS (fast enough in V8).
// - device keys: P-256 keys in the same storage; no biometrics; no push (the app polls).
import { createSoftwareDeviceKeys } from '@cloudmfa/client';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { secureStoreFromStringHost } from '@cloudmfa/storage';
import * as Clipboard from 'expo-clipboard';
import type { Host } from './types';

export async function createHost(): Promise<Host> {
  const ls = globalThis.localStorage;
  const store = secureStoreFromStringHost({
    getItem: (k) => ls.getItem(k),
    setItem: (k, v) => ls.setItem(k, v),
    deleteItem: (k) => ls.removeItem(k),
  });
  return {
    platform: 'web',
    store,
    deviceKeys: createSoftwareDeviceKeys({ store }),
    deviceKeyStorage: 'P-256 key in this browser\'s storage',
    crypto: webCryptoProvider(),
    biometrics: undefined,
    pushToken: async () => null,
    onNotification: () => () => {},
    onPushToken: () => () => {},
    copy: async (text) => {
      await Clipboard.setStringAsync(text);
    },
    openSettings: async () => {},
  };
}
