// The device request (docs/protocol/push.md section 3.4): claims checked by hand, without a
// schema library, so the phone path stays small.
import { isEnrolmentId } from './_claims.js';

/** JWS `typ` of a device request. */
export const DEVICE_REQUEST_TYP = 'cloudmfa-device+jwt';
/** Longest device request token accepted, in characters (a 4,096-character push token fits). */
export const DEVICE_REQUEST_LENGTH = 6144;

const ID128 = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const PUSH_TOKEN = /^[\x21-\x7e]{1,4096}$/;
const MAX_SECONDS = 253_402_300_799;

export interface DeviceClaims {
  sub: string;
  act: 'push-token' | 'unregister';
  tok?: string | null;
  iat: number;
  jti: string;
}

/** The claims of a device request, or `null` when they are not exactly what the protocol allows. */
export function parseDeviceClaims(value: unknown): DeviceClaims | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  const expected = v.act === 'push-token' ? ['sub', 'act', 'tok', 'iat', 'jti'] : v.act === 'unregister' ? ['sub', 'act', 'iat', 'jti'] : null;
  if (!expected || keys.length !== expected.length || !keys.every((k) => expected.includes(k))) return null;
  if (!isEnrolmentId(v.sub)) return null;
  if (typeof v.iat !== 'number' || !Number.isInteger(v.iat) || v.iat < 0 || v.iat > MAX_SECONDS) return null;
  if (typeof v.jti !== 'string' || !ID128.test(v.jti)) return null;
  if (v.act === 'push-token' && v.tok !== null && (typeof v.tok !== 'string' || !PUSH_TOKEN.test(v.tok))) return null;
  return v as unknown as DeviceClaims;
}
