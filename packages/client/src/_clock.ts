// Clock correction: the offset (server minus phone, ms) the engine applies to everything it
// shows or signs. Learned from a server-time answer (midpoint of the round trip) and narrowed
// by each push challenge (the server's time at arrival lies in [iat, exp]).
import type { StoredClock } from './_state.js';
import type { ClockStatus } from './types.js';

/** One TOTP period: beyond it the phone's codes would be refused without correction. */
const SKEW_REPORT_MS = 30_000;

export function clockStatus(c: StoredClock): ClockStatus {
  return Object.freeze({ offsetMs: c.offsetMs, source: c.source, learnedAt: c.learnedAt, skewed: Math.abs(c.offsetMs) > SKEW_REPORT_MS });
}

/** The offset from a server time read between `sentAt` and `receivedAt` (phone ms). */
export function offsetFromServerTime(serverTime: number, sentAt: number, receivedAt: number): number {
  return Math.round(serverTime - (sentAt + receivedAt) / 2);
}

/**
 * Narrows the offset with a challenge received at phone time `receivedAt`: the server issued
 * it at `issuedAt` and it is still valid, so server time now is in [issuedAt, expiresAt].
 * Returns the new offset, or `null` when the current one already fits.
 */
export function offsetFromChallenge(current: number, issuedAt: number, expiresAt: number, receivedAt: number): number | null {
  const low = issuedAt - receivedAt;
  const high = expiresAt - receivedAt;
  if (current < low) return low;
  if (current > high) return high;
  return null;
}
