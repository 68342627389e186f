import { type BuildPushPayloadOptions, fitPayload, payloadInput, type SizedPayload } from './_payload.js';
import { PUSH_NOTIFICATION } from './constants.js';

/**
 * The APNs payload (`aps` plus the `cloudmfa` member the app reads). `aps.alert` is the generic
 * text iOS shows by itself (lock screen included, before the app verifies anything);
 * `aps.category` names the app's registered actions (`PUSH_NOTIFICATION.category`).
 *
 * @example
 * ```ts
 * const payload: ApnsPushPayload = buildApnsPayload({ challenge: created }).payload;
 * payload.cloudmfa.jws; // the challenge token, unless it did not fit
 * ```
 */
export interface ApnsPushPayload {
  readonly aps: {
    readonly alert: { readonly title: string; readonly body: string };
    readonly sound: 'default';
    readonly category: 'CLOUDMFA_PUSH';
    readonly 'mutable-content': 1;
    readonly 'interruption-level': 'time-sensitive';
  };
  readonly cloudmfa: { readonly v: 1; readonly id: string; readonly exp: number; readonly jws?: string };
}

/**
 * What {@link buildApnsPayload} returns: the payload, its size and the HTTP/2 headers to send with it.
 *
 * @example
 * ```ts
 * const { json, headers } = buildApnsPayload({ challenge: created });
 * await http2Session.request({ ':path': `/3/device/${token}`, ...headers }).end(json);
 * ```
 */
export interface ApnsPayloadResult extends SizedPayload<ApnsPushPayload> {
  readonly headers: {
    readonly 'apns-push-type': 'alert';
    readonly 'apns-priority': '10';
    /** The challenge's expiry (seconds): APNs drops it after that. */
    readonly 'apns-expiration': string;
    /** The challenge id: a re-sent challenge replaces, not duplicates, the notification. */
    readonly 'apns-collapse-id': string;
  };
}

/**
 * Builds the Apple Push Notification service payload for a challenge: the visible (generic) alert, the category of the app's actions, and a
 * `cloudmfa` member with the challenge token, or only its id when the token would not fit in
 * `maxBytes` (default 4,096, APNs' limit); the app then fetches it with a poll request. Throws
 * `ERR_PUSH_PAYLOAD_TOO_LARGE` when even the id-only payload does not fit; never truncates.
 * The number-matching number is never in it.
 *
 * @example
 * ```ts
 * const apns = buildApnsPayload({ challenge: created, alert: { body: 'Approve sign-in to Acme VPN?' } });
 * await apnsClient.send(deviceToken, apns.json, apns.headers);
 * ```
 */
export function buildApnsPayload(options: BuildPushPayloadOptions): ApnsPayloadResult {
  const input = payloadInput(options);
  const sized = fitPayload<ApnsPushPayload>(
    (includeChallenge) => ({
      aps: {
        alert: { title: input.title, body: input.body },
        sound: 'default',
        category: PUSH_NOTIFICATION.category,
        'mutable-content': 1,
        'interruption-level': 'time-sensitive',
      },
      cloudmfa: includeChallenge ? { v: 1, id: input.id, exp: input.exp, jws: input.token } : { v: 1, id: input.id, exp: input.exp },
    }),
    input.maxBytes,
  );
  return Object.freeze({
    ...sized,
    headers: Object.freeze({
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(input.exp),
      'apns-collapse-id': input.id,
    } as const),
  });
}
