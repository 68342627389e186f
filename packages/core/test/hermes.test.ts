import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInHermes } from '../../../scripts/hermes/harness.mjs';

describe('@cloudmfa/core inside Hermes', () => {
  it('encodes, derives, signs and fails with typed errors in the built package, no Node APIs', async () => {
    const { result } = await runInHermes(fileURLToPath(new URL('./hermes/entry.ts', import.meta.url)), 'core');
    expect(result).toEqual({
      base32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      base32Back: '12345678901234567890',
      base32Bad: 'ERR_BASE32_INVALID',
      base45: 'QED8WEX0', // RFC 9285 section 4.4
      base45Back: 'ietf!',
      base64url: '-_8',
      base64urlBad: 'ERR_BASE64URL_INVALID',
      utf8: 'c3a9e282acf09f9880efbfbd',
      utf8Bad: 'ERR_UTF8_INVALID',
      // RFC 4226 Appendix D, count 0: HMAC-SHA-1 of the ASCII secret and counter 0.
      hmac: 'cc93cf18508d94934c64b65d8ba7667fb7cde4b0',
      // RFC 5869 A.1; RFC 7914 section 11 PBKDF2 vector 1, its first 16 bytes (dkLen 16).
      hkdf: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
      pbkdf2: '55ac046e56e3089fec1691c22544b605',
      signatureLength: 64,
      verified: true,
      tamperedVerified: false,
      highSVerified: false,
      hostNormalised: true,
      normaliseBad: 'ERR_SIGNATURE_FORMAT',
      errorInstanceOf: true,
      errorCode: 'ERR_TEST',
      errorName: 'CloudMfaError',
      errorCause: true,
      providerError: 'ERR_CRYPTO_PROVIDER:false',
      noRandom: 'ERR_NO_RANDOM_SOURCE',
    });
  });
});
