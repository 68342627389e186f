// Admin sessions: a random id in an HttpOnly, SameSite=Strict cookie, kept in memory under the
// id's SHA-256 digest, with a CSRF token per session.
import { encodeBase64Url } from '@cloudmfa/core';
import { cookieValue, digest } from './http.mjs';

export const SESSION_MS = 8 * 3600 * 1000;
const MAX_SESSIONS = 64;
export const COOKIE = 'cmfa_admin';

/**
 * @param {{ clock: () => number, random: (n: number) => Uint8Array }} options
 */
export function createSessions({ clock, random }) {
  /** @type {Map<string, { csrf: string, expiresAt: number, numbers: Map<string, string> }>} */
  const sessions = new Map();

  function sessionOf(req) {
    const id = cookieValue(req, COOKIE);
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    // Map lookup by the id's digest: the lookup itself is not a timing oracle on the id.
    const key = encodeBase64Url(digest(id));
    const s = sessions.get(key);
    if (!s) return null;
    if (clock() >= s.expiresAt) {
      sessions.delete(key);
      return null;
    }
    return s;
  }

  function newSession() {
    const id = encodeBase64Url(random(32));
    const s = { csrf: encodeBase64Url(random(32)), expiresAt: clock() + SESSION_MS, numbers: new Map() };
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
    sessions.set(encodeBase64Url(digest(id)), s);
    return { id, session: s };
  }

  function endSession(session) {
    for (const [k, s] of sessions) if (s === session) sessions.delete(k);
  }

  return { sessionOf, newSession, endSession };
}
