// The outbox key (docs/server.md 4.1): node:crypto's one-shot SHA-256 where the runtime has it,
// the injected provider's elsewhere; both must give the same key, or an entry moved by one
// build and retried by the other would be appended twice.
import { encodeBase64Url, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { describe, expect, it } from 'vitest';
import { markDefaultCrypto, outboxKey } from '../src/internal/ids.js';
import { nodeCrypto } from '../src/internal/nodeAesGcm.js';

const ctx = { crypto: pureJsCryptoProvider };
const expected = (id: string, step: number, now: number) =>
  encodeBase64Url(pureJsCryptoProvider.hash('SHA256', utf8Encode(`cloudmfa/server/outbox/v1\u0000${id}\u0000${step}\u0000${now}`)).subarray(0, 16));

describe('outboxKey', () => {
  const cases: [string, number, number][] = [
    ['AAAAAAAAAAAAAAAAAAAAAA', 0, 0],
    ['Zm9vYmFyYmF6cXV4cXV1eA', 59_000_000, 1_767_225_600_000],
    ['x'.repeat(128), Number.MAX_SAFE_INTEGER, 8_640_000_000_000_000],
    ['a_b-c', 1, 1],
    // Enough keys that every value of the last character's two bits comes up.
    ...Array.from({ length: 64 }, (_, i): [string, number, number] => [`e${i}`, 59_000_000 + i, 1_767_225_600_000 + i * 30_000]),
  ];

  it('uses node:crypto on Node', () => {
    expect(typeof nodeCrypto()?.hash).toBe('function');
  });

  it('is the first 128 bits of SHA-256 over (label, enrolment, step, time), natively and through the provider alike', () => {
    for (const [id, step, now] of cases) {
      const key = expected(id, step, now);
      expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(outboxKey(ctx, id, step, now, nodeCrypto()?.hash)).toBe(key);
      expect(outboxKey(ctx, id, step, now, null)).toBe(key);
    }
  });

  it('hashes with node:crypto only for the default provider: an injected one is always used', () => {
    let calls = 0;
    const injected = { ...pureJsCryptoProvider, hash: (...a: Parameters<typeof pureJsCryptoProvider.hash>) => (calls++, pureJsCryptoProvider.hash(...a)) };
    expect(outboxKey({ crypto: injected }, 'e1', 1, 1)).toBe(expected('e1', 1, 1));
    expect(calls).toBe(1);
    const own = markDefaultCrypto({ ...injected });
    expect(outboxKey({ crypto: own }, 'e1', 1, 1)).toBe(expected('e1', 1, 1));
    expect(calls).toBe(1);
  });

  it('differs when the enrolment, the step or the time does', () => {
    const keys = new Set(
      ['AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAB'].flatMap((id) => [1, 2].flatMap((step) => [1000, 1001].map((now) => outboxKey(ctx, id, step, now)))),
    );
    expect(keys.size).toBe(8);
  });
});
