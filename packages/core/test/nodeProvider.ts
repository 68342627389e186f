// A CryptoProvider on node:crypto (OpenSSL), built the way a host plugs native primitives.
// The suites run it beside the pure-JS provider: it is the independent oracle for the RFC
// vectors and an example of honouring the contract (low S and key-format rules included).
import { createHash, createHmac, createPublicKey, ECDH, hkdfSync, pbkdf2, scrypt, verify } from 'node:crypto';
import { type CryptoProvider, encodeBase64Url, isLowS } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';

const NODE_HASH = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' } as const;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function p256Key(publicKey: Uint8Array) {
  // OpenSSL also takes the hybrid 06/07 form; the contract says no, so only 02/03/04 pass.
  if (![0x02, 0x03, 0x04].includes(publicKey[0] as number)) throw new Error('bad prefix');
  const full = publicKey.length === 33 ? ECDH.convertKey(publicKey, 'prime256v1', undefined, undefined, 'uncompressed') : publicKey;
  const point = Buffer.from(full as Uint8Array);
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: encodeBase64Url(point.subarray(1, 33)), y: encodeBase64Url(point.subarray(33, 65)) },
    format: 'jwk',
  });
}

export const nodeProvider: CryptoProvider = createCryptoProvider({
  name: 'node',
  hmac: (algorithm, key, message) => new Uint8Array(createHmac(NODE_HASH[algorithm], key).update(message).digest()),
  hash: (algorithm, message) => new Uint8Array(createHash(NODE_HASH[algorithm]).update(message).digest()),
  hkdfSha256: (ikm, salt, info, length) => new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)),
  scrypt: (password, salt, { N, r, p, dkLen }) =>
    new Promise((ok, fail) =>
      scrypt(password, salt, dkLen, { N, r, p, maxmem: 256 * N * r + 128 * r * p + (1 << 20) }, (err, key) =>
        err ? fail(err) : ok(new Uint8Array(key)),
      ),
    ),
  pbkdf2Sha256: (password, salt, { iterations, dkLen }) =>
    new Promise((ok, fail) => pbkdf2(password, salt, iterations, dkLen, 'sha256', (err, key) => (err ? fail(err) : ok(new Uint8Array(key))))),
  p256Verify: async (publicKey, message, signature) => {
    if (signature.length !== 64 || !isLowS(signature)) return false;
    if (publicKey.length !== 33 && publicKey.length !== 65) return false;
    return verify('sha256', message, { key: p256Key(publicKey), dsaEncoding: 'ieee-p1363' }, signature);
  },
  ed25519Verify: async (publicKey, message, signature) => {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  },
});
