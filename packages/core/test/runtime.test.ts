import { checkedRandom, fixedClock, systemClock, systemRandom } from '@cloudmfa/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { caughtSync } from './helpers.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('clocks', () => {
  it('systemClock reads Date.now in milliseconds', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_123);
    expect(systemClock()).toBe(1_700_000_000_123);
  });

  it('fixedClock moves only when told', () => {
    const clock = fixedClock(1_700_000_000_000);
    expect(clock()).toBe(1_700_000_000_000);
    clock.advance(30_000);
    expect(clock()).toBe(1_700_000_030_000);
    clock.set(5);
    expect(clock()).toBe(5);
  });

  it('fixedClock refuses non-finite times', () => {
    expect(caughtSync(() => fixedClock(Number.NaN)).code).toBe('ERR_INVALID_ARGUMENT');
    const clock = fixedClock(0);
    expect(caughtSync(() => clock.set(Number.POSITIVE_INFINITY)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => clock.advance('1' as unknown as number)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(clock()).toBe(0);
  });
});

describe('systemRandom', () => {
  it('returns n bytes from crypto.getRandomValues', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const out = systemRandom(32);
    expect(out).toBeInstanceOf(Uint8Array);
    expect(out).toHaveLength(32);
    expect(spy).toHaveBeenCalledOnce();
    expect(systemRandom(0)).toHaveLength(0);
    expect(systemRandom(65536)).toHaveLength(65536);
    spy.mockRestore();
  });

  it.each([-1, 65537, 1.5, Number.NaN, '16'])('refuses n = %j with ERR_INVALID_ARGUMENT', (n) => {
    expect(caughtSync(() => systemRandom(n as number)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('throws ERR_NO_RANDOM_SOURCE without globalThis.crypto, never falling back to Math.random', () => {
    const math = vi.spyOn(Math, 'random');
    vi.stubGlobal('crypto', undefined);
    expect(caughtSync(() => systemRandom(16)).code).toBe('ERR_NO_RANDOM_SOURCE');
    vi.stubGlobal('crypto', {});
    expect(caughtSync(() => systemRandom(16)).code).toBe('ERR_NO_RANDOM_SOURCE');
    vi.stubGlobal('crypto', { getRandomValues: 'nope' });
    expect(caughtSync(() => systemRandom(16)).code).toBe('ERR_NO_RANDOM_SOURCE');
    expect(math).not.toHaveBeenCalled();
    math.mockRestore();
  });
});

describe('checkedRandom', () => {
  it('passes good output through, as a copy', () => {
    const shared = new Uint8Array(16).fill(7);
    const random = checkedRandom(() => shared);
    const a = random(16);
    expect(a).toEqual(shared);
    shared.fill(9);
    expect(a[0]).toBe(7);
  });

  it('throws ERR_NO_RANDOM_SOURCE on short, long or non-byte output', () => {
    expect(caughtSync(() => checkedRandom((n) => new Uint8Array(n - 1))(16)).code).toBe('ERR_NO_RANDOM_SOURCE');
    expect(caughtSync(() => checkedRandom((n) => new Uint8Array(n + 1))(16)).code).toBe('ERR_NO_RANDOM_SOURCE');
    expect(caughtSync(() => checkedRandom((n) => new Array(n).fill(1) as unknown as Uint8Array)(16)).code).toBe('ERR_NO_RANDOM_SOURCE');
    expect(caughtSync(() => checkedRandom((n) => new Uint16Array(n) as unknown as Uint8Array)(16)).code).toBe('ERR_NO_RANDOM_SOURCE');
    expect(caughtSync(() => checkedRandom(() => undefined as unknown as Uint8Array)(16)).code).toBe('ERR_NO_RANDOM_SOURCE');
  });

  it('checks n and the source itself', () => {
    expect(caughtSync(() => checkedRandom((n) => new Uint8Array(n))(-1)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caughtSync(() => checkedRandom('random' as unknown as () => Uint8Array)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
