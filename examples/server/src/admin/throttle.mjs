// Wrong admin tokens are throttled per client address and over all addresses together
// (docs/guides/reference-server.md 4.3). Each counter is a fixed window that opens at the first
// wrong token it counts; once a window holds its limit, every token check it covers is refused
// with 429 (the right token included: a guess must not be confirmed while throttled) until the
// window closes. The clock is the app's injected clock.

/** At most `perIp` wrong tokens per address and `global` in all per `windowMs`. */
const LOGIN_THROTTLE = Object.freeze({ perIp: 5, global: 20, windowMs: 60_000 });

const MAX_ADDRESSES = 1024;

/**
 * @param {{ clock: () => number, perIp?: number, global?: number, windowMs?: number }} options
 */
export function createLoginThrottle({ clock, perIp = LOGIN_THROTTLE.perIp, global = LOGIN_THROTTLE.global, windowMs = LOGIN_THROTTLE.windowMs }) {
  /** @type {Map<string, { start: number, failures: number }>} */
  const byAddress = new Map();
  let all = { start: 0, failures: 0 };

  const open = (w, now) => w !== undefined && now - w.start < windowMs;
  const wait = (w, limit, now) => (open(w, now) && w.failures >= limit ? w.start + windowMs - now : 0);

  return {
    /** Milliseconds until a token from `address` may be checked again (0: now). */
    retryAfterMs(address) {
      const now = clock();
      return Math.max(wait(all, global, now), wait(byAddress.get(address ?? ''), perIp, now));
    },
    /** Counts one wrong token from `address`. */
    fail(address) {
      const now = clock();
      const key = address ?? '';
      all = open(all, now) ? { start: all.start, failures: all.failures + 1 } : { start: now, failures: 1 };
      const w = byAddress.get(key);
      byAddress.delete(key);
      byAddress.set(key, open(w, now) ? { start: w.start, failures: w.failures + 1 } : { start: now, failures: 1 });
      // Bounded: the least recently failing address goes first (its window has most likely closed).
      if (byAddress.size > MAX_ADDRESSES) byAddress.delete(byAddress.keys().next().value);
    },
  };
}
