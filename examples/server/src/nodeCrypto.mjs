// The CryptoProvider the server runs on: WebCrypto's fast P-256 verify (push responses, device
// polls, redemption signatures) over a base with Node's native scrypt and PBKDF2 (envelope
// sealing), plugged through the core seam, which checks every argument and output.
import { pbkdf2, scrypt } from 'node:crypto';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';

export function nodeCryptoProvider() {
  const base = createCryptoProvider({
    name: 'node-native-kdf',
    scrypt: (password, salt, { N, r, p, dkLen }) =>
      new Promise((resolve, reject) => {
        // maxmem: scrypt needs 128·N·r (+ 128·r·p); core has already refused costs over its ceiling.
        scrypt(password, salt, dkLen, { N, r, p, maxmem: 128 * N * r + 128 * r * p + (1 << 20) }, (err, key) =>
          err ? reject(err) : resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength)),
        );
      }),
    pbkdf2Sha256: (password, salt, { iterations, dkLen }) =>
      new Promise((resolve, reject) => {
        pbkdf2(password, salt, iterations, dkLen, 'sha256', (err, key) => (err ? reject(err) : resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength))));
      }),
  });
  return webCryptoProvider({ base });
}
