// Push through expo-notifications. The server sends to APNs and FCM directly (it holds the
// keys, docs/guides/authenticator-app.md), so the app registers the raw device token
// (`getDevicePushTokenAsync`), not an Expo push token. A notification reaches the engine as
// expo-notifications hands it over (`request`, whose `content.data` / `trigger.payload` carry
// the APNs dictionary or the FCM data map exactly as @cloudmfa/push built them);
// `receiveNotification` finds the CloudMFA part in any of those shapes.
import * as Notifications from 'expo-notifications';
import type { Host } from './types';

/** The category the server's APNs payload names (`aps.category`), with its actions. */
const PUSH_CATEGORY = 'CLOUDMFA_PUSH';

export function notificationSeams(): Pick<Host, 'pushToken' | 'onNotification' | 'onPushToken'> {
  Notifications.setNotificationHandler({
    handleNotification: async () => ({ shouldShowBanner: true, shouldShowList: true, shouldPlaySound: true, shouldSetBadge: false }),
  });
  return {
    async pushToken() {
      const permission = await Notifications.requestPermissionsAsync();
      if (!permission.granted) return null;
      // Answering opens the app: the PIN (when the policy asks for one) and the number are typed there.
      await Notifications.setNotificationCategoryAsync(PUSH_CATEGORY, [{ identifier: 'open', buttonTitle: 'Review', options: { opensAppToForeground: true } }]);
      const token = await Notifications.getDevicePushTokenAsync().catch(() => null);
      return token && typeof token.data === 'string' ? token.data : null;
    },
    onNotification(listener) {
      const received = Notifications.addNotificationReceivedListener((n) => listener(n.request));
      const tapped = Notifications.addNotificationResponseReceivedListener((r) => listener(r.notification.request));
      const last = Notifications.getLastNotificationResponse();
      if (last) listener(last.notification.request);
      return () => {
        received.remove();
        tapped.remove();
      };
    },
    onPushToken(listener) {
      const sub = Notifications.addPushTokenListener((t) => {
        if (typeof t.data === 'string') listener(t.data);
      });
      return () => sub.remove();
    },
  };
}
