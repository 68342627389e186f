import { isCloudMfaError } from '@cloudmfa/core';
import { DEFAULT_THROTTLE_POLICY, secureStoreFromStringHost, throttleDelay } from '@cloudmfa/storage';
import { assertThrottlePolicy, decodeAuditCursor, encodeAuditCursor, scrubCause, serializeJsonObject, storageError } from '@cloudmfa/storage/adapter';
import { runSecureStoreConformance } from '@cloudmfa/storage/testing';
import { describe, expect, it } from 'vitest';

const mapHost = () => {
  const map = new Map<string, string>();
  return {
    map,
    host: {
      getItem: async (k: string) => map.get(k) ?? null,
      setItem: async (k: string, v: string) => {
        map.set(k, v);
      },
      deleteItem: async (k: string) => {
        map.delete(k);
      },
    },
  };
};

runSecureStoreConformance({ name: 'secureStoreFromStringHost over a Map', factory: () => ({ store: secureStoreFromStringHost(mapHost().host) }) });

describe('secureStoreFromStringHost', () => {
  it('stores base64url text in the host', async () => {
    const { map, host } = mapHost();
    const s = secureStoreFromStringHost(host);
    await s.set('k', new Uint8Array([0xfb, 0xff]));
    expect(map.get('k')).toBe('-_8');
  });

  it('turns a host failure into ERR_STORAGE_UNAVAILABLE without its message', async () => {
    const leaky = new Error('could not store value c2VjcmV0LXNlZWQ');
    const s = secureStoreFromStringHost({
      getItem: () => {
        throw leaky;
      },
      setItem: () => Promise.reject(leaky),
      deleteItem: () => undefined,
    });
    for (const p of [s.get('k'), s.set('k', new Uint8Array(1)), s.delete('k')]) {
      const e = await p.then(
        () => null,
        (x: unknown) => x,
      );
      expect(isCloudMfaError(e, 'ERR_STORAGE_UNAVAILABLE')).toBe(true);
      expect(JSON.stringify({ m: (e as Error).message, c: (e as Error).cause })).not.toContain('c2VjcmV0');
      expect((e as Error).cause).toEqual({ name: 'Error' });
    }
  });

  it('reports a stored value that is not base64url as ERR_STORAGE_CORRUPT', async () => {
    const { map, host } = mapHost();
    map.set('k', '***');
    const e = await secureStoreFromStringHost(host)
      .get('k')
      .then(
        () => null,
        (x: unknown) => x,
      );
    expect(isCloudMfaError(e, 'ERR_STORAGE_CORRUPT')).toBe(true);
  });

  it('refuses a host without the three functions', () => {
    expect(() => secureStoreFromStringHost({ getItem: () => null } as never)).toThrow(expect.objectContaining({ code: 'ERR_STORAGE_INVALID' }));
  });
});

describe('throttleDelay', () => {
  it('follows the documented curve for the default policy', () => {
    const p = DEFAULT_THROTTLE_POLICY;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 50].map((f) => throttleDelay(p, f))).toEqual([
      0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000, 32000, 900000, 900000, 900000,
    ]);
  });

  it('caps the doubling at maxDelayMs without overflowing', () => {
    const p = { freeFailures: 0, baseDelayMs: 1000, maxDelayMs: 60_000, lockoutFailures: 100_000, lockoutMs: 1 };
    expect(throttleDelay(p, 7)).toBe(60_000);
    expect(throttleDelay(p, 99_999)).toBe(60_000);
    expect(throttleDelay(p, 100_000)).toBe(1);
  });

  it('validates policies', () => {
    expect(() => assertThrottlePolicy(DEFAULT_THROTTLE_POLICY)).not.toThrow();
    expect(() => assertThrottlePolicy({ ...DEFAULT_THROTTLE_POLICY, lockoutFailures: 3 })).toThrow(
      expect.objectContaining({ code: 'ERR_STORAGE_INVALID' }),
    );
  });
});

describe('audit cursor', () => {
  it('round-trips and refuses anything else', () => {
    expect(decodeAuditCursor(encodeAuditCursor({ at: 1_767_225_600_000, seq: 42 }))).toEqual({ at: 1_767_225_600_000, seq: 42 });
    for (const bad of ['', '1', '1.', '.1', '1.2.3', '-1.2', '1e3.2', '99999999999999999.1', ' 1.2', 1]) {
      expect(() => decodeAuditCursor(bad)).toThrow(expect.objectContaining({ code: 'ERR_STORAGE_INVALID' }));
    }
  });
});

describe('serializeJsonObject', () => {
  it('counts UTF-8 bytes, not UTF-16 units', () => {
    // {"k":"..."} is 8 bytes of overhead; '€' is 3 bytes, '😀' is 4.
    expect(() => serializeJsonObject({ k: '€'.repeat(4) }, 'meta', 20)).not.toThrow();
    expect(() => serializeJsonObject({ k: '€'.repeat(5) }, 'meta', 22)).toThrow(expect.objectContaining({ code: 'ERR_STORAGE_INVALID' }));
    expect(() => serializeJsonObject({ k: '😀'.repeat(3) }, 'meta', 20)).not.toThrow();
    expect(() => serializeJsonObject({ k: '😀'.repeat(3) }, 'meta', 19)).toThrow(expect.objectContaining({ code: 'ERR_STORAGE_INVALID' }));
  });
});

describe('storageError / scrubCause', () => {
  it('keeps only the class name and code of a driver error', () => {
    const driver = Object.assign(new TypeError("INSERT failed for value 'hunter2'"), { code: 'E_DRIVER', detail: 'hunter2' });
    const e = storageError('ERR_STORAGE_UNAVAILABLE', 'write failed', driver);
    expect(e.cause).toEqual({ name: 'TypeError', code: 'E_DRIVER' });
    expect(scrubCause('hunter2')).toEqual({ name: 'string' });
    expect(JSON.stringify(e.cause)).not.toContain('hunter2');
  });
});
