// The server's default key derivation on Node, Bun and Deno (the `node` condition of the
// package's `#native-kdf` import): node:crypto's scrypt and PBKDF2, which run on libuv's thread
// pool instead of the event loop, at about a tenth of the pure-JS cost (docs/benchmarks.md).
// Core's seam (createCryptoProvider) checks every argument and output, and refuses costs over its
// ceiling before these run.
import { pbkdf2, scrypt } from 'node:crypto';
import { type CryptoProvider, pureJsCryptoProvider } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';

const bytes = (key: Buffer): Uint8Array => new Uint8Array(key.buffer, key.byteOffset, key.byteLength);

/** Node's native scrypt and PBKDF2-SHA256 over the pure-JS provider. */
export function nativeKdf(): CryptoProvider | null {
  return createCryptoProvider({
    name: 'node-native-kdf',
    base: pureJsCryptoProvider,
    scrypt: (password, salt, { N, r, p, dkLen }) =>
      new Promise((resolve, reject) => {
        // scrypt's working set is 128·N·r (+ 128·r·p): sized to the call rather than Node's
        // default 32 MiB cap, which the default N = 2^15, r = 8 already reaches.
        scrypt(password, salt, dkLen, { N, r, p, maxmem: 128 * N * r + 128 * r * p + (1 << 20) }, (err, key) => (err ? reject(err) : resolve(bytes(key))));
      }),
    pbkdf2Sha256: (password, salt, { iterations, dkLen }) =>
      new Promise((resolve, reject) => {
        pbkdf2(password, salt, iterations, dkLen, 'sha256', (err, key) => (err ? reject(err) : resolve(bytes(key))));
      }),
  });
}
