// The outbox key (docs/server.md 4.1) and the auxiliary guard ids: node:crypto's one-shot
// SHA-256 where the runtime has it and the provider hashes with the SDK's pure-JS SHA-256, the
// provider's elsewhere; both must give the same key, or an entry moved by one build and retried
// by the other would be appended twice (and a guard id would count on another row).
import { encodeBase64Url, pureJsCryptoProvider, utf8Encode } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';
import { describe, expect, it } from 'vitest';
import { auxGuardId, nativeSha256For, outboxKey } from '../src/internal/ids.js';
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

  it('hashes with node:crypto only for a provider whose hash is the pure-JS one: a hash of its own is always used', () => {
    const native = nodeCrypto()?.hash;
    expect(native).toBeDefined();
    expect(nativeSha256For(pureJsCryptoProvider)).toBe(native);
    expect(nativeSha256For(webCryptoProvider())).toBe(native);
    expect(nativeSha256For(createCryptoProvider({ scrypt: pureJsCryptoProvider.scrypt }))).toBe(native);
    let calls = 0;
    const injected = { ...pureJsCryptoProvider, hash: (...a: Parameters<typeof pureJsCryptoProvider.hash>) => (calls++, pureJsCryptoProvider.hash(...a)) };
    expect(nativeSha256For(injected)).toBeNull();
    expect(nativeSha256For(createCryptoProvider({ hash: injected.hash }))).toBeNull();
    expect(outboxKey({ crypto: injected }, 'e1', 1, 1)).toBe(expected('e1', 1, 1));
    expect(calls).toBe(1);
    expect(auxGuardId(injected, 'l', 'x')).toBe(auxGuardId(pureJsCryptoProvider, 'l', 'x', null));
    expect(calls).toBe(2);
  });

  it('gives the auxiliary guard ids natively and through the provider alike, non-ASCII and lone surrogates included', () => {
    const native = nodeCrypto()?.hash ?? null;
    const values = ['203.0.113.7', '2001:db8:1:2::/64', 'alice', 'ünïcødé ✓', '\u{1F600}x', 'lone \ud800 high', 'lone \udc00 low', 'end \ud83d', '', 'x'.repeat(300)];
    for (const tag of ['r', 'i', 'p', 'l'] as const) {
      for (const value of values) {
        const portable = auxGuardId(pureJsCryptoProvider, tag, value, null);
        expect(portable).toBe(`${tag}_${encodeBase64Url(pureJsCryptoProvider.hash('SHA256', utf8Encode(`cloudmfa/server/guard/${tag}/v1\u0000${value}`)))}`);
        expect(portable).toMatch(/^[a-z]_[A-Za-z0-9_-]{43}$/);
        expect(auxGuardId(pureJsCryptoProvider, tag, value, native)).toBe(portable);
      }
    }
  });

  it('differs when the enrolment, the step or the time does', () => {
    const keys = new Set(
      ['AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAB'].flatMap((id) => [1, 2].flatMap((step) => [1000, 1001].map((now) => outboxKey(ctx, id, step, now)))),
    );
    expect(keys.size).toBe(8);
  });
});
