// Finds the CloudMFA part of a push notification as host libraries hand it over: the APNs
// dictionary ({ aps, cloudmfa }), an FCM data map ({ cloudmfa_jws, ... }), and the wrappers of
// common notification libraries (RemoteMessage.data, expo's request.content.data and
// request.trigger.payload, PushNotificationIOS userInfo), any of them possibly as JSON text.

const ID = /^[A-Za-z0-9_-]{22}$/;
const MAX_TEXT = 16_384;

export interface FoundPush {
  jws: string | null;
  id: string | null;
}

function fromText(value: string): unknown {
  if (value.length > MAX_TEXT) return undefined;
  const t = value.trim();
  if (t.startsWith('{')) {
    try {
      return JSON.parse(t);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const isJws = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT && v.split('.').length === 3;

function look(value: unknown, depth: number): FoundPush | null {
  if (depth > 5) return null;
  if (typeof value === 'string') {
    if (isJws(value)) return { jws: value, id: null };
    const parsed = fromText(value);
    return parsed === undefined ? null : look(parsed, depth + 1);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  // APNs: { aps, cloudmfa: { v: 1, id, exp, jws? } } (some bridges stringify the member).
  if (o.cloudmfa !== undefined) {
    const m = typeof o.cloudmfa === 'string' ? fromText(o.cloudmfa) : o.cloudmfa;
    if (typeof m === 'object' && m !== null) {
      const c = m as Record<string, unknown>;
      if (c.v === 1 || c.v === '1') {
        return { jws: isJws(c.jws) ? c.jws : null, id: typeof c.id === 'string' && ID.test(c.id) ? c.id : null };
      }
    }
  }
  // FCM data map: string values.
  if (o.cloudmfa_v === '1' || o.cloudmfa_v === 1) {
    return { jws: isJws(o.cloudmfa_jws) ? o.cloudmfa_jws : null, id: typeof o.cloudmfa_id === 'string' && ID.test(o.cloudmfa_id) ? o.cloudmfa_id : null };
  }
  for (const key of ['data', 'payload', 'userInfo', 'request', 'content', 'trigger', 'notification', 'remoteMessage']) {
    if (o[key] !== undefined) {
      const found = look(o[key], depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** The challenge token and/or id a notification carries, or `null` when it is not ours. Never throws. */
export function extractPushPayload(payload: unknown): FoundPush | null {
  try {
    return look(payload, 0);
  } catch {
    return null;
  }
}
