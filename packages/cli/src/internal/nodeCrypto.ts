import { pbkdf2, scrypt } from 'node:crypto';
import { type CryptoProvider } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';

let provider: CryptoProvider | undefined;

/**
 * The pure-JS provider with Node's native scrypt and PBKDF2 plugged in through the core seam:
 * the CLI runs only on Node, so the envelope KDF runs natively (same bytes, several times
 * faster). Core's guard checks the parameters against its cost ceilings before Node sees them,
 * and hides Node's errors (`ERR_CRYPTO_PROVIDER`).
 */
export function nodeCryptoProvider(): CryptoProvider {
  provider ??= createCryptoProvider({
    name: 'node',
    scrypt: (password, salt, { N, r, p, dkLen }) =>
      new Promise((ok, fail) =>
        // maxmem: scrypt needs 128·N·r (+ 128·r·p); the ceiling is checked by core before this runs.
        scrypt(password, salt, dkLen, { N, r, p, maxmem: 128 * N * r + 128 * r * p + (1 << 20) }, (err, key) =>
          err ? fail(err) : ok(new Uint8Array(key.buffer, key.byteOffset, key.length)),
        ),
      ),
    pbkdf2Sha256: (password, salt, { iterations, dkLen }) =>
      new Promise((ok, fail) =>
        pbkdf2(password, salt, iterations, dkLen, 'sha256', (err, key) =>
          err ? fail(err) : ok(new Uint8Array(key.buffer, key.byteOffset, key.length)),
        ),
      ),
  });
  return provider;
}
