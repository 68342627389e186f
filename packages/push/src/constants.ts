/**
 * The JWS `typ` header of each push message kind. Explicit typing (RFC 8725 3.11) is what keeps
 * a response from being taken for a poll request or a challenge.
 *
 * @example
 * ```ts
 * import { jwtVerify } from 'jose';
 * await jwtVerify(token, serverKey, { typ: PUSH_TYP.challenge, algorithms: ['ES256'] });
 * ```
 */
export const PUSH_TYP = Object.freeze({
  challenge: 'cloudmfa-push-challenge+jwt',
  response: 'cloudmfa-push-response+jwt',
  poll: 'cloudmfa-push-poll+jwt',
} as const);

/**
 * Protocol limits (see docs/protocol/push.md). Token lengths are checked before anything is
 * decoded; context caps are in UTF-16 code units, the whole context in UTF-8 bytes.
 *
 * @example
 * ```ts
 * if (text.length > PUSH_LIMITS.contextMessage) shorten(text);
 * ```
 */
export const PUSH_LIMITS = Object.freeze({
  /** Longest challenge token accepted, in characters. */
  challengeLength: 4096,
  /** Longest response token accepted, in characters. */
  responseLength: 1024,
  /** Longest poll request token accepted, in characters. */
  pollLength: 1024,
  /** Longest protected header segment, in characters. */
  headerLength: 512,
  /** Default challenge lifetime, seconds. */
  defaultTtlSeconds: 120,
  /** Shortest lifetime a challenge can be created with, seconds. */
  minTtlSeconds: 10,
  /** Longest challenge lifetime, seconds (created and accepted). */
  maxTtlSeconds: 600,
  contextService: 64,
  contextMessage: 200,
  contextIp: 45,
  contextLocation: 100,
  contextDevice: 100,
  /** The serialized `ctx` claim, UTF-8 bytes. */
  contextBytes: 1024,
  /** Enrolment ids: 1-128 characters of `[A-Za-z0-9._:-]`. */
  enrolmentIdLength: 128,
  /** Number matching: default and allowed digit counts. */
  defaultNumberDigits: 2,
  minNumberDigits: 2,
  maxNumberDigits: 6,
  /** A typed number is 1-8 ASCII digits on the wire. */
  maxTypedNumberLength: 8,
  /** Default skew the app allows when checking a challenge's times, ms. */
  defaultChallengeSkewMs: 30_000,
  /** Default skew the server allows on response and poll times, ms (poll: +-60 s). */
  defaultServerSkewMs: 60_000,
  /** Largest skew any verifier accepts as an option, ms. */
  maxSkewMs: 300_000,
  /** APNs and FCM both refuse payloads over 4,096 bytes. */
  maxPayloadBytes: 4096,
  alertTitle: 64,
  alertBody: 200,
} as const);

/**
 * The names the push payloads give the app's notification settings: the APNs category
 * (`aps.category`, whose actions the app registers) and the Android notification channel
 * (`android.notification.channel_id` of the FCM message, which the app creates). An app
 * registers both under these names before the first push arrives (docs/protocol/push.md 7).
 *
 * @example
 * ```ts
 * await Notifications.setNotificationChannelAsync(PUSH_NOTIFICATION.androidChannelId, { name: 'Sign-in requests', importance: 5 });
 * await Notifications.setNotificationCategoryAsync(PUSH_NOTIFICATION.category, actions);
 * ```
 */
export const PUSH_NOTIFICATION = Object.freeze({
  category: 'CLOUDMFA_PUSH',
  androidChannelId: 'cloudmfa-push',
} as const);
