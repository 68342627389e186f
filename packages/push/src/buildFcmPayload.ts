import { type BuildPushPayloadOptions, fitPayload, payloadInput, type SizedPayload } from './_payload.js';

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
  /** Data-only: the app shows the notification itself after verifying the challenge. FCM data values are strings. */
  readonly data: {
    readonly cloudmfa_v: '1';
    readonly cloudmfa_id: string;
    readonly cloudmfa_exp: string;
    readonly cloudmfa_jws?: string;
    readonly title: string;
    readonly body: string;
  };
  readonly android: { readonly priority: 'HIGH'; readonly ttl: string; readonly collapse_key: string };
}

/**
 * Builds the Firebase Cloud Messaging (HTTP v1) message for a challenge: a high-priority
 * data message with the challenge token, or only its id when the token would not fit in
 * `maxBytes` (default 4,096, FCM's limit); the app then fetches it with a poll request. Throws
 * `ERR_PUSH_PAYLOAD_TOO_LARGE` when even the id-only message does not fit; never truncates.
 * The number-matching number is never in it.
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
      data: includeChallenge
        ? { ...base, cloudmfa_jws: input.token, title: input.title, body: input.body }
        : { ...base, title: input.title, body: input.body },
      android: { priority: 'HIGH', ttl: `${input.ttl}s`, collapse_key: input.id },
    };
  }, input.maxBytes);
}
