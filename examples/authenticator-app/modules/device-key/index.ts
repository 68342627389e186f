// The device-key module's TypeScript half: the native module (Secure Enclave on iOS, Android
// Keystore on Android; ios/ and android/ beside this file) behind the engine's DeviceKeySeam, and
// the software fallback behind the same seam where the module is absent (web, Expo Go, jest) or
// the phone has no key hardware (a simulator).
//
// The native side signs with ECDSA P-256 / SHA-256 and returns DER; `signerFromHost` (from
// @cloudmfa/core) converts it to the raw r || s with low S that ES256 JWS and the protocol
// require (docs/protocol/push.md 2). Bytes cross the bridge as standard base64.
import { type DeviceKeySeam, createSoftwareDeviceKeys } from '@cloudmfa/client';
import { CloudMfaError, decodeBase64Url, encodeBase64Url, type Signer, signerFromHost } from '@cloudmfa/core';
import type { SecureKeyValueStore } from '@cloudmfa/storage';
import { requireOptionalNativeModule } from 'expo';

/** The native module's functions (ios/CloudMfaDeviceKeyModule.swift, android/.../CloudMfaDeviceKeyModule.kt). */
export interface NativeDeviceKeyModule {
  /** False where no key hardware exists (a simulator). */
  isAvailable(): boolean;
  /**
   * Creates a P-256 key under `tag` (replacing any); its public key, base64 of the 65-byte
   * uncompressed point, and where it lives (`secure-enclave`, `strongbox`, `tee`, `software`).
   */
  createKey(tag: string): Promise<{ publicKey: string; securityLevel: string }>;
  /** The public key under `tag`, or null. */
  publicKey(tag: string): Promise<string | null>;
  /** ECDSA P-256 with SHA-256 over the message (base64), DER (base64). */
  sign(tag: string, messageBase64: string): Promise<string>;
  /** Deletes the key under `tag` (nothing when there is none). */
  deleteKey(tag: string): Promise<void>;
}

/** The module's name in the native registry (`Name(...)` in both native files). */
const NATIVE_NAME = 'CloudMfaDeviceKey';

/** The compiled-in native module, or null (web, Expo Go, jest: nothing native is there). */
export function loadNativeDeviceKeyModule(): NativeDeviceKeyModule | null {
  return requireOptionalNativeModule<NativeDeviceKeyModule>(NATIVE_NAME);
}

// The engine's handles; the same rule as createSoftwareDeviceKeys.
const HANDLE = /^[A-Za-z0-9._-]{1,100}$/;
const TAG_PREFIX = 'example.cloudmfa.devicekey.';

/**
 * The native key's name for an engine handle: the iOS application tag (UTF-8) and the Android
 * Keystore alias. Prefixed so that the app's keys never collide with other Keychain/Keystore
 * entries of the app.
 */
export function nativeKeyTag(handle: string): string {
  if (typeof handle !== 'string' || !HANDLE.test(handle)) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"handle" expected 1..100 of [A-Za-z0-9._-]');
  return `${TAG_PREFIX}${handle}`;
}

const toBase64 = (bytes: Uint8Array): string => {
  const url = encodeBase64Url(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return url + '='.repeat((4 - (url.length % 4)) % 4);
};
const fromBase64 = (text: string, what: string): Uint8Array => {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new CloudMfaError('ERR_SIGNATURE_FORMAT', `the device key module returned a ${what} that is not base64`);
  }
  return decodeBase64Url(text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
};

function hardwareSigner(native: NativeDeviceKeyModule, tag: string, publicKey: string): Signer {
  return signerFromHost({
    algorithm: 'ES256',
    publicKey: fromBase64(publicKey, 'public key'),
    sign: async (message) => fromBase64(await native.sign(tag, toBase64(message)), 'signature'),
    signatureFormat: 'der',
  });
}

/** The seam on the native module alone: every key in the Secure Enclave / Android Keystore. */
export function hardwareDeviceKeys(native: NativeDeviceKeyModule): DeviceKeySeam {
  return {
    async create(handle) {
      const tag = nativeKeyTag(handle);
      const made = await native.createKey(tag);
      return hardwareSigner(native, tag, made.publicKey);
    },
    async load(handle) {
      const tag = nativeKeyTag(handle);
      const publicKey = await native.publicKey(tag);
      return publicKey === null ? null : hardwareSigner(native, tag, publicKey);
    },
    async remove(handle) {
      await native.deleteKey(nativeKeyTag(handle));
    },
  };
}

/** What {@link createDeviceKeys} chose. */
interface DeviceKeys {
  readonly deviceKeys: DeviceKeySeam;
  /** True when new keys are hardware keys. */
  readonly hardware: boolean;
}

/**
 * The app's device keys: hardware keys when the native module is compiled in and the phone has
 * key hardware; else the SDK's software keys in `store`. With hardware, keys made earlier in
 * software (before this module, or on a build without it) still load and are removed from `store`
 * with their identity; new keys are always hardware keys. A hardware failure is not turned into a
 * software key: it reaches the engine as the signer's error.
 */
export function createDeviceKeys(options: { native: NativeDeviceKeyModule | null; store: SecureKeyValueStore }): DeviceKeys {
  const { native, store } = options;
  const software = createSoftwareDeviceKeys({ store });
  if (!native || !native.isAvailable()) return { deviceKeys: software, hardware: false };
  const hardware = hardwareDeviceKeys(native);
  return {
    hardware: true,
    deviceKeys: {
      create: (handle) => hardware.create(handle),
      load: async (handle) => (await hardware.load(handle)) ?? software.load(handle),
      async remove(handle) {
        await hardware.remove(handle);
        await software.remove(handle);
      },
    },
  };
}
