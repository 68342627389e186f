// Push through expo-notifications. The server sends to APNs and FCM directly (it holds the
// keys, docs/guides/authenticator-app.md), so the app registers the raw device token
// (`getDevicePushTokenAsync`), not an Expo push token. A notification reaches the engine as
// expo-notifications hands it over (`request`): on iOS `trigger.payload` is the APNs dictionary;
// on Android `content.data` is the FCM data map (delivered to the running app) or the tapped
// notification's extras (the data map again, with Google's keys), exactly as @cloudmfa/push built
// them; `receiveNotification` finds the CloudMFA part in any of those shapes.
//
// The names come from the payloads (`PUSH_NOTIFICATION`): the APNs category `CLOUDMFA_PUSH` with
// the actions below, and the Android channel `cloudmfa-push`, created before the token is asked
// for (Android 13 shows the permission prompt when the first channel is created).
import { PUSH_NOTIFICATION } from '@cloudmfa/push';
import * as Notifications from 'expo-notifications';
import { Platform } from 'react-native';
import type { Host, NotificationEvent, PushNotificationAction } from './types';

/**
 * The category's actions. Confirm and Suspicious open the app: the PIN (when the identity's
 * policy asks for one) comes first, an approval needs the request's details and the number, and
 * the lock screen's text is generic and unverified. Cancel does not: it sends nothing, so it
 * needs neither the app nor the PIN (docs/protocol/push.md 6).
 */
const PUSH_ACTIONS: Notifications.NotificationAction[] = [
  { identifier: 'confirm', buttonTitle: 'Confirm', options: { opensAppToForeground: true } },
  { identifier: 'suspicious', buttonTitle: 'Suspicious', options: { opensAppToForeground: true, isDestructive: true } },
  { identifier: 'cancel', buttonTitle: 'Cancel', options: { opensAppToForeground: false } },
];

/** What the user did with a notification: an action of the category, or a tap on it (`open`). */
function actionOf(actionIdentifier: string): PushNotificationAction {
  return actionIdentifier === 'confirm' || actionIdentifier === 'suspicious' || actionIdentifier === 'cancel' ? actionIdentifier : 'open';
}

const CHALLENGE_ID = /^[A-Za-z0-9_-]{22}$/;

/** The id in the APNs dictionary (`trigger.payload.cloudmfa.id`) or the FCM data map (`content.data.cloudmfa_id`). */
function challengeIdOf(request: Notifications.NotificationRequest): string | null {
  const trigger = request.trigger as { payload?: { cloudmfa?: { id?: unknown } } } | null;
  const data = request.content.data as { cloudmfa_id?: unknown } | null | undefined;
  const id = trigger?.payload?.cloudmfa?.id ?? data?.cloudmfa_id;
  return typeof id === 'string' && CHALLENGE_ID.test(id) ? id : null;
}

/** A notification shown while the app runs (`delivered`), or what the user did with one. */
function notificationEvent(from: { notification: Notifications.Notification } | { response: Notifications.NotificationResponse }): NotificationEvent {
  const request = 'response' in from ? from.response.notification.request : from.notification.request;
  const action = 'response' in from ? actionOf(from.response.actionIdentifier) : 'delivered';
  return { payload: request, challengeId: challengeIdOf(request), action };
}

export function notificationSeams(): Pick<Host, 'pushToken' | 'onNotification' | 'onPushToken'> {
  Notifications.setNotificationHandler({
    handleNotification: async () => ({ shouldShowBanner: true, shouldShowList: true, shouldPlaySound: true, shouldSetBadge: false }),
  });
  return {
    async pushToken() {
      if (Platform.OS === 'android') {
        // MAX: a heads-up banner. Private on the lock screen, although the text is generic anyway.
        await Notifications.setNotificationChannelAsync(PUSH_NOTIFICATION.androidChannelId, {
          name: 'Sign-in requests',
          importance: Notifications.AndroidImportance.MAX,
          lockscreenVisibility: Notifications.AndroidNotificationVisibility.PRIVATE,
          sound: 'default',
        });
      }
      const permission = await Notifications.requestPermissionsAsync();
      if (!permission.granted) return null;
      // iOS shows these buttons on every CloudMFA notification (`aps.category`). Android shows
      // none: it draws the FCM `notification` block itself, and expo-notifications would take a
      // category only from a `categoryId` data key, which the payload does not carry.
      await Notifications.setNotificationCategoryAsync(PUSH_NOTIFICATION.category, PUSH_ACTIONS);
      const token = await Notifications.getDevicePushTokenAsync().catch(() => null);
      return token && typeof token.data === 'string' ? token.data : null;
    },
    onNotification(listener) {
      const received = Notifications.addNotificationReceivedListener((notification) => listener(notificationEvent({ notification })));
      const answered = Notifications.addNotificationResponseReceivedListener((response) => listener(notificationEvent({ response })));
      // The tap (or action) that started the app, before the listener above existed.
      const last = Notifications.getLastNotificationResponse();
      if (last) listener(notificationEvent({ response: last }));
      return () => {
        received.remove();
        answered.remove();
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
