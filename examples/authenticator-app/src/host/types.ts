// What the app needs from the platform, in one place. `host.ts` builds it from the real native
// modules (iOS, Android), `host.web.ts` from the browser's equivalents; the screens and the
// engine see only this interface, and the component tests hand in one made of in-memory parts.
import type { BiometricKeySeam, DeviceKeySeam } from '@cloudmfa/client';
import type { CryptoProvider } from '@cloudmfa/core';
import type { SecureKeyValueStore } from '@cloudmfa/storage';

/** What the user did with a push notification: shown while the app runs, tapped, or one of the category's actions. */
export type PushNotificationAction = 'delivered' | 'open' | 'confirm' | 'suspicious' | 'cancel';

/** A push notification as the platform hands it over, with what the user did. */
export interface NotificationEvent {
  /** The notification as the platform library gives it (expo-notifications' `request`): the engine finds the CloudMFA part. */
  readonly payload: unknown;
  /**
   * The challenge id the payload names, unverified: only to know which request a tap opens when
   * the engine already has it (a duplicate) or must fetch it (an id-only payload).
   */
  readonly challengeId: string | null;
  readonly action: PushNotificationAction;
}

export interface Host {
  readonly platform: 'ios' | 'android' | 'web';
  /** The vault's storage (Keychain / Android Keystore through expo-secure-store; browser storage on web). */
  readonly store: SecureKeyValueStore;
  /** Device keys that sign redemptions and push answers. */
  readonly deviceKeys: DeviceKeySeam;
  /** Where the device keys live, for Settings > About. */
  readonly deviceKeyStorage: string;
  /** scrypt and signature verification; native scrypt on phones. */
  readonly crypto?: CryptoProvider;
  /** Biometric unlock, or undefined where the device has none enrolled. */
  readonly biometrics?: BiometricKeySeam;
  /** The APNs/FCM token, or null (no permission, web): the app then polls. */
  pushToken(): Promise<string | null>;
  /** Calls `listener` with each notification (shown in the foreground, tapped, or answered with an action); returns the unsubscribe. */
  onNotification(listener: (event: NotificationEvent) => void): () => void;
  /** Calls `listener` when the platform replaces the push token. */
  onPushToken(listener: (token: string) => void): () => void;
  /** Puts `text` on the clipboard. */
  copy(text: string): Promise<void>;
  /** Opens the app's page in the system settings (to grant the camera after a refusal). */
  openSettings(): Promise<void>;
}
