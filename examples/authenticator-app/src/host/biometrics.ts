// The biometric slot's key behind the user's biometrics: expo-secure-store with
// `requireAuthentication` (iOS Keychain access control .biometryCurrentSet, Android Keystore
// key with setUserAuthenticationRequired), checked with expo-local-authentication first so that
// the app offers biometrics only where some are enrolled.
import type { BiometricKeySeam } from '@cloudmfa/client';
import { decodeBase64Url, encodeBase64Url } from '@cloudmfa/core';
import * as LocalAuthentication from 'expo-local-authentication';
import * as SecureStore from 'expo-secure-store';

const KEY = 'cloudmfa.vault.biometric';

/** The seam, or undefined when the device has no biometric hardware or nothing enrolled. */
export async function nativeBiometrics(): Promise<BiometricKeySeam | undefined> {
  const [hardware, enrolled] = await Promise.all([LocalAuthentication.hasHardwareAsync(), LocalAuthentication.isEnrolledAsync()]);
  if (!hardware || !enrolled) return undefined;
  return {
    save: (key) => SecureStore.setItemAsync(KEY, encodeBase64Url(key), { requireAuthentication: true }),
    async load({ title }) {
      // A cancelled or failed prompt rejects: the vault reads that as `cancelled`.
      const value = await SecureStore.getItemAsync(KEY, { requireAuthentication: true, authenticationPrompt: title }).catch(() => null);
      return value === null ? null : decodeBase64Url(value);
    },
    remove: () => SecureStore.deleteItemAsync(KEY),
  };
}
