// The phone host (iOS and Android; Metro picks host.web.ts on web). Every seam is a real module:
// - vault storage: expo-secure-store (Keychain on iOS, Android Keystore-encrypted preferences),
// - scrypt: react-native-quick-crypto's native scrypt (pure-JS scrypt takes 15-20 s on Hermes),
//   and its `install()` puts `crypto.getRandomValues` on the global object,
// - device keys: P-256 keys in the Secure Enclave / Android Keystore through the app's own Expo
//   module (modules/device-key), or software keys in expo-secure-store where that module or the
//   key hardware is missing (a simulator; docs/guides/authenticator-app.md, "Device keys"),
// - biometrics: expo-local-authentication + expo-secure-store `requireAuthentication`,
// - push: expo-notifications' device token (the raw APNs/FCM token the server sends to),
// - clipboard: expo-clipboard; settings: Linking.openSettings.
import { createCryptoProvider } from '@cloudmfa/core/providers';
import { secureStoreFromStringHost } from '@cloudmfa/storage';
import * as Clipboard from 'expo-clipboard';
import * as SecureStore from 'expo-secure-store';
import { Linking, Platform } from 'react-native';
import QuickCrypto, { install } from 'react-native-quick-crypto';
import { createDeviceKeys, loadNativeDeviceKeyModule } from '../../modules/device-key';
import { nativeBiometrics } from './biometrics';
import { notificationSeams } from './notifications';
import type { Host } from './types';

/** scrypt through react-native-quick-crypto (OpenSSL's scrypt on a native thread). */
function nativeScrypt(password: Uint8Array, salt: Uint8Array, params: { N: number; r: number; p: number; dkLen: number }): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    QuickCrypto.scrypt(password, salt, params.dkLen, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 }, (err, key) => {
      if (err || !key) reject(err ?? new Error('scrypt failed'));
      else resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength).slice());
    });
  });
}

export async function createHost(): Promise<Host> {
  install();
  // This device only: the vault and the device keys never travel in an iCloud / device backup.
  const where = { keychainAccessible: SecureStore.WHEN_UNLOCKED_THIS_DEVICE_ONLY };
  const store = secureStoreFromStringHost({
    getItem: (k) => SecureStore.getItemAsync(k, where),
    setItem: (k, v) => SecureStore.setItemAsync(k, v, where),
    deleteItem: (k) => SecureStore.deleteItemAsync(k, where),
  });
  // Native scrypt; HMAC, hashes and P-256 verification stay the SDK's pure JS (fast enough).
  const crypto = createCryptoProvider({ scrypt: nativeScrypt });
  const ios = Platform.OS === 'ios';
  const { deviceKeys, hardware } = createDeviceKeys({ native: loadNativeDeviceKeyModule(), store });
  return {
    platform: ios ? 'ios' : 'android',
    store,
    deviceKeys,
    deviceKeyStorage: hardware
      ? ios
        ? 'P-256 key in the Secure Enclave'
        : 'P-256 key in the Android Keystore (StrongBox where the phone has one)'
      : ios
        ? 'P-256 key in the iOS Keychain (expo-secure-store; no Secure Enclave here)'
        : 'P-256 key encrypted by the Android Keystore (expo-secure-store)',
    crypto,
    biometrics: await nativeBiometrics(),
    ...notificationSeams(),
    copy: async (text) => {
      await Clipboard.setStringAsync(text);
    },
    openSettings: () => Linking.openSettings(),
  };
}
