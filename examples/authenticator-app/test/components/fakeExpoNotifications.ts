// A stand-in for expo-notifications' JavaScript API (no phone, no APNs or FCM here: its native
// module cannot run), so that the app's own notification code (src/host/notifications.ts) runs
// unchanged. It records what the app registers (channel, category, handler) and hands the app
// notifications in the shapes expo-notifications' native code builds from an APNs or FCM message
// (expo-notifications 57: ios NotificationRecords.swift; android NotificationSerializer.java,
// RemoteMessageSerializer.java, FirebaseNotificationTrigger.kt), from the JSON bytes the server built.
import type { ApnsPushPayload, FcmPushMessage } from '@cloudmfa/push/server';
import type * as Notifications from 'expo-notifications';

type Listener<T> = (value: T) => void;

const DEFAULT_ACTION_IDENTIFIER = 'expo.modules.notifications.actions.DEFAULT';
export const AndroidImportance = { MAX: 7 } as const;

const received = new Set<Listener<Notifications.Notification>>();
const responses = new Set<Listener<Notifications.NotificationResponse>>();
export const registered = {
  channels: new Map<string, Notifications.NotificationChannelInput>(),
  categories: new Map<string, Notifications.NotificationAction[]>(),
  handler: null as Notifications.NotificationHandler | null,
  lastResponse: null as Notifications.NotificationResponse | null,
};

export function reset(): void {
  received.clear();
  responses.clear();
  registered.channels.clear();
  registered.categories.clear();
  registered.handler = null;
  registered.lastResponse = null;
}

const subscription = <T>(set: Set<Listener<T>>, l: Listener<T>) => {
  set.add(l);
  return { remove: () => set.delete(l) };
};

/** What `jest.mock('expo-notifications', ...)` returns: the functions src/host/notifications.ts calls. */
export const expoNotificationsStandIn = {
  DEFAULT_ACTION_IDENTIFIER,
  AndroidImportance,
  AndroidNotificationVisibility: { PRIVATE: 0 },
  setNotificationHandler: (h: Notifications.NotificationHandler | null) => {
    registered.handler = h;
  },
  setNotificationChannelAsync: async (id: string, channel: Notifications.NotificationChannelInput) => {
    registered.channels.set(id, channel);
    return null;
  },
  requestPermissionsAsync: async () => ({ granted: true, status: 'granted', canAskAgain: true, expires: 'never' }),
  setNotificationCategoryAsync: async (id: string, actions: Notifications.NotificationAction[]) => {
    registered.categories.set(id, actions);
    return { identifier: id, actions };
  },
  getDevicePushTokenAsync: async () => ({ type: 'ios', data: 'apns-device-token-0123456789' }),
  addNotificationReceivedListener: (l: Listener<Notifications.Notification>) => subscription(received, l),
  addNotificationResponseReceivedListener: (l: Listener<Notifications.NotificationResponse>) => subscription(responses, l),
  getLastNotificationResponse: () => registered.lastResponse,
  addPushTokenListener: () => ({ remove: () => {} }),
};

/** The app is running: expo presents the notification and emits it. */
export function deliver(notification: Notifications.Notification): void {
  for (const l of received) l(notification);
}
/** The user tapped the notification or one of its actions. */
export function respond(notification: Notifications.Notification, actionIdentifier = DEFAULT_ACTION_IDENTIFIER): void {
  const response = { notification, actionIdentifier } as Notifications.NotificationResponse;
  registered.lastResponse = response;
  for (const l of responses) l(response);
}

const DATE = 1_767_254_400_000;

/** iOS, an APNs alert: `content` from the alert (`data` is only Expo's push service's `body` member: none here), `trigger.payload` the whole dictionary. */
export function fromApns(json: string, identifier = 'B6A1E0F2-APNS'): Notifications.Notification {
  const payload = JSON.parse(json) as ApnsPushPayload;
  const request = {
    identifier,
    content: {
      title: payload.aps.alert.title,
      subtitle: null,
      body: payload.aps.alert.body,
      badge: null,
      sound: 'default',
      launchImageName: null,
      data: null,
      attachments: [],
      categoryIdentifier: payload.aps.category,
      threadIdentifier: null,
      targetContentIdentifier: null,
      interruptionLevel: 'timeSensitive',
    },
    trigger: { type: 'push', class: 'UNPushNotificationTrigger', repeats: false, payload },
  };
  return { date: DATE, request } as unknown as Notifications.Notification;
}

/**
 * Android, the FCM message reaching the running app (`onMessageReceived`): the title and body of
 * its `notification`, `content.data` the data map (its `body` is no JSON: the map is copied as
 * it is), `trigger.remoteMessage` the serialized RemoteMessage.
 */
export function fromFcmWhileRunning(json: string, messageId = '0:1767254400000%fcm'): Notifications.Notification {
  const message = JSON.parse(json) as FcmPushMessage;
  const request = {
    identifier: messageId,
    content: { title: message.notification.title, subtitle: null, body: message.notification.body, badge: null, sound: 'default', priority: 'high', autoDismiss: true, sticky: false, data: { ...message.data } },
    trigger: {
      type: 'push',
      remoteMessage: {
        collapseKey: message.android.collapse_key,
        data: { ...message.data, dataString: null },
        from: '1234567890',
        messageId,
        messageType: null,
        notification: {
          title: message.notification.title,
          body: message.notification.body,
          channelId: message.android.notification.channel_id,
          tag: message.android.notification.tag,
          usesDefaultSound: message.android.notification.default_sound,
          notificationPriority: 2,
        },
        originalPriority: 1,
        priority: 1,
        sentTime: DATE,
        to: null,
        ttl: Number.parseInt(message.android.ttl, 10),
      },
    },
  };
  return { date: DATE, request } as unknown as Notifications.Notification;
}

/**
 * Android, the app not running: Android drew the notification from the FCM `notification` block;
 * the tap starts the app with the message in the intent's extras, and expo-notifications builds
 * the response from them (`toResponseBundleFromExtras`): `content.data` is the extras (the data
 * map plus Google's keys), no title, `trigger.channelId` from the extras (none).
 */
export function fromFcmTappedInTray(json: string, messageId = '0:1767254400000%tray'): Notifications.Notification {
  const message = JSON.parse(json) as FcmPushMessage;
  const extras = {
    ...message.data,
    'google.message_id': messageId,
    'google.sent_time': DATE,
    'google.ttl': Number.parseInt(message.android.ttl, 10),
    'google.original_priority': 'high',
    'google.delivered_priority': 'high',
    from: '1234567890',
    collapse_key: message.android.collapse_key,
  };
  const request = { identifier: messageId, content: { title: null, data: extras }, trigger: { type: 'push', channelId: null } };
  return { date: DATE, request } as unknown as Notifications.Notification;
}
