import { describe, isBytes } from './assert.js';
import { CloudMfaError } from './errors.js';

/**
 * A clock: returns the current time in **milliseconds** since the Unix epoch. Every API that
 * depends on time takes one (`now`), so tests and servers pin it; none reads `Date.now()`
 * behind the caller's back except {@link systemClock}, the documented default.
 *
 * @example
 * ```ts
 * const now: Clock = () => 1_700_000_000_000;
 * verifyTotp({ secret, code, now });
 * ```
 */
export type Clock = () => number;

/**
 * A source of cryptographically secure random bytes: returns a fresh `Uint8Array` of length `n`.
 * Hosts without `globalThis.crypto.getRandomValues` (old Hermes builds) inject one, for example
 * `expo-crypto`'s `getRandomBytes`; wrap it with {@link checkedRandom}.
 *
 * @example
 * ```ts
 * import * as ExpoCrypto from 'expo-crypto';
 * const random: RandomSource = checkedRandom((n) => ExpoCrypto.getRandomBytes(n));
 * ```
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

function assertTime(value: unknown, title: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected a finite number of milliseconds, got ${describe(value)}`);
  }
}

/**
 * A clock fixed at `ms` that moves only when told: the clock every test uses. A non-finite
 * time throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const clock = fixedClock(1_700_000_000_000);
 * clock.advance(30_000);
 * clock(); // 1_700_000_030_000
 * ```
 */
export function fixedClock(ms: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  assertTime(ms, 'ms');
  let t = ms;
  const clock = (() => t) as Clock & { set(ms: number): void; advance(ms: number): void };
  clock.set = (v: number) => {
    assertTime(v, 'ms');
    t = v;
  };
  clock.advance = (d: number) => {
    assertTime(d, 'ms');
    assertTime(t + d, 'ms');
    t += d;
  };
  return clock;
}

const MAX_RANDOM_REQUEST = 65536;

function assertRandomLength(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_RANDOM_REQUEST) {
    throw new CloudMfaError(
      'ERR_INVALID_ARGUMENT',
      `"n" expected an integer in [0, ${MAX_RANDOM_REQUEST}], got ${typeof n === 'number' && Number.isSafeInteger(n) ? n : describe(n)}`,
    );
  }
}

/**
 * The default random source: `globalThis.crypto.getRandomValues`, at most 65536 bytes a call.
 * Throws `ERR_NO_RANDOM_SOURCE` when the runtime has none; it never falls back to `Math.random`.
 *
 * @example
 * ```ts
 * const salt = systemRandom(16);
 * ```
 */
export const systemRandom: RandomSource = (n: number) => {
  assertRandomLength(n);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new CloudMfaError(
      'ERR_NO_RANDOM_SOURCE',
      'no secure random source: globalThis.crypto.getRandomValues is missing; pass `random` explicitly',
    );
  }
  const out = new Uint8Array(n);
  c.getRandomValues(out);
  return out;
};

/**
 * Wraps a host-provided random source with checks, so a buggy native bridge cannot silently
 * return short or non-byte output (`ERR_NO_RANDOM_SOURCE`). The bytes are copied, so a bridge
 * that reuses one buffer cannot make two keys alias. Every `random` given to `@cloudmfa/core`
 * goes through it.
 *
 * @example
 * ```ts
 * import * as ExpoCrypto from 'expo-crypto';
 * const random = checkedRandom((n) => ExpoCrypto.getRandomBytes(n));
 * ```
 */
export function checkedRandom(source: RandomSource): RandomSource {
  if (typeof source !== 'function') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"random" expected a function, got ${describe(source)}`);
  }
  return (n) => {
    assertRandomLength(n);
    const out: unknown = source(n);
    if (!isBytes(out) || out.length !== n) {
      throw new CloudMfaError(
        'ERR_NO_RANDOM_SOURCE',
        `random source returned ${isBytes(out) ? `${out.length} bytes` : describe(out)} where ${n} bytes were requested`,
      );
    }
    return Uint8Array.from(out);
  };
}
