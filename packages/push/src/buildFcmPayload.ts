import { type BuildPushPayloadOptions, fitPayload, payloadInput, type SizedPayload } from './_payload.js';
import { PUSH_NOTIFICATION } from './constants.js';

/**
 * An FCM HTTP v1 `message` without `token` (add the device's registration token to send it).
 *
 * @example
 * ```ts
 * const message: FcmPushMessage = buildFcmPayload({ challenge: created }).payload;
 * await fcm.send({ message: { ...message, token: registrationToken } });
 * ```
 */
export interface FcmPushMessage {
  /**
   * What Android shows by itself, the app running or not: the generic alert text (never the
   * context). It is shown before the app has verified anything.
   */
  readonly notification: { readonly title: string; readonly body: string };
  /** What the app verifies: the challenge token, or only its id (then it polls). FCM data values are strings. */
  readonly data: {
    readonly cloudmfa_v: '1';
    readonly cloudmfa_id: string;
    readonly cloudmfa_exp: string;
    readonly cloudmfa_jws?: string;
  };
  readonly android: {
    readonly priority: 'HIGH';
    readonly ttl: string;
    readonly collapse_key: string;
    /** The app's notification channel (`PUSH_NOTIFICATION.androidChannelId`); `tag` is the challenge id, so a re-sent challenge replaces its notification. */
    readonly notification: { readonly channel_id: 'cloudmfa-push'; readonly tag: string; readonly notification_priority: 'PRIORITY_HIGH'; readonly default_sound: true };
  };
}

/**
 * Builds the Firebase Cloud Messaging (HTTP v1) message for a challenge: a high-priority
 * notification message (the generic alert in `notification`, shown by Android even while the
 * app is not running, on the app's `cloudmfa-push` channel) whose `data` carries the challenge
 * token, or only its id when the token would not fit in `maxBytes` (default 4,096, FCM's limit);
 * the app then fetches it with a poll request. Throws `ERR_PUSH_PAYLOAD_TOO_LARGE` when even the
 * id-only message does not fit; never truncates. The number-matching number is never in it.
 *
 * @example
 * ```ts
 * const fcm = buildFcmPayload({ challenge: created });
 * await fcmClient.send({ message: { ...fcm.payload, token: registrationToken } });
 * ```
 */
export function buildFcmPayload(options: BuildPushPayloadOptions): SizedPayload<FcmPushMessage> {
  const input = payloadInput(options);
  return fitPayload<FcmPushMessage>((includeChallenge) => {
    const base = { cloudmfa_v: '1', cloudmfa_id: input.id, cloudmfa_exp: String(input.exp) } as const;
    return {
      notification: { title: input.title, body: input.body },
      data: includeChallenge ? { ...base, cloudmfa_jws: input.token } : base,
      android: {
        priority: 'HIGH',
        ttl: `${input.ttl}s`,
        collapse_key: input.id,
        notification: { channel_id: PUSH_NOTIFICATION.androidChannelId, tag: input.id, notification_priority: 'PRIORITY_HIGH', default_sound: true },
      },
    };
  }, input.maxBytes);
}
