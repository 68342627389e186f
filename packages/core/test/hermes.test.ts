import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInHermes } from '../../../scripts/hermes/harness.mjs';

describe('@cloudmfa/core inside Hermes', () => {
  it('encodes, hashes and signs with the built package, no Node APIs', async () => {
    const { result } = await runInHermes(fileURLToPath(new URL('./hermes/entry.ts', import.meta.url)), 'core');
    expect(result).toEqual({
      base32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      base32Back: '12345678901234567890',
      base45: 'QED8WEX0', // RFC 9285 section 4.3
      base45Back: 'ietf!',
      utf8: 'c3a9e282acf09f9880',
      // RFC 4226 Appendix D, count 0: HMAC-SHA-1 of the ASCII secret and counter 0.
      hmac: 'cc93cf18508d94934c64b65d8ba7667fb7cde4b0',
      signatureLength: 64,
      verified: true,
      tamperedVerified: false,
    });
  });
});
