import { CloudMfaError } from './errors.js';

/**
 * A clock: returns the current time in **milliseconds** since the Unix epoch. Every API that
 * depends on time takes one (`now`), so tests and servers pin it; none reads `Date.now()`
 * behind the caller's back except {@link systemClock}, the documented default.
 */
export type Clock = () => number;

/**
 * A source of cryptographically secure random bytes: returns a fresh `Uint8Array` of length `n`.
 * Hosts without `globalThis.crypto.getRandomValues` (old Hermes builds) inject one, for example
 * `expo-crypto`'s `getRandomBytes`.
 */
export type RandomSource = (n: number) => Uint8Array;

/**
 * The default clock: `Date.now()`.
 *
 * @example
 * ```ts
 * const t = systemClock(); // ms since epoch
 * ```
 */
export const systemClock: Clock = () => Date.now();

/**
 * A clock fixed at `ms` that moves only when told: the clock every test uses.
 *
 * @example
 * ```ts
 * const clock = fixedClock(1_700_000_000_000);
 * clock.advance(30_000);
 * ```
 */
export function fixedClock(ms: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let t = ms;
  const clock = (() => t) as Clock & { set(ms: number): void; advance(ms: number): void };
  clock.set = (v: number) => {
    t = v;
  };
  clock.advance = (d: number) => {
    t += d;
  };
  return clock;
}

const MAX_RANDOM_REQUEST = 65536;

/**
 * The default random source: `globalThis.crypto.getRandomValues`. Throws
 * `ERR_NO_RANDOM_SOURCE` when the runtime has none; it never falls back to `Math.random`.
 *
 * @example
 * ```ts
 * const salt = systemRandom(16);
 * ```
 */
export const systemRandom: RandomSource = (n: number) => {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_RANDOM_REQUEST) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"n" expected an integer in [0, ${MAX_RANDOM_REQUEST}], got ${n}`);
  }
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new CloudMfaError(
      'ERR_NO_RANDOM_SOURCE',
      'no secure random source: globalThis.crypto.getRandomValues is missing; pass `random` explicitly',
    );
  }
  return c.getRandomValues(new Uint8Array(n));
};

/**
 * Wraps a host-provided random source with a length check, so a buggy native bridge cannot
 * silently return short or non-byte output.
 *
 * @example
 * ```ts
 * const random = checkedRandom((n) => Crypto.getRandomBytes(n));
 * ```
 */
export function checkedRandom(source: RandomSource): RandomSource {
  return (n) => {
    const out = source(n);
    if (!(out instanceof Uint8Array) || out.length !== n) {
      throw new CloudMfaError('ERR_NO_RANDOM_SOURCE', `random source returned ${out instanceof Uint8Array ? out.length : 'non-byte'} output for ${n} bytes`);
    }
    return out;
  };
}
