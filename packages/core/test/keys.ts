// Pinned P-256 test keys, importable into WebCrypto and node:crypto.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { createSoftwareSigner, encodeBase64Url, type SoftwareSigner } from '@cloudmfa/core';
import { seededRandom } from './helpers.js';

export interface TestKey {
  signer: SoftwareSigner;
  jwkPrivate: JsonWebKey;
  jwkPublic: JsonWebKey;
  nodePrivate: KeyObject;
  nodePublic: KeyObject;
  webPrivate: CryptoKey;
  webPublic: CryptoKey;
}

export async function p256TestKey(label: string): Promise<TestKey> {
  const signer = createSoftwareSigner({ algorithm: 'ES256', random: seededRandom(label) });
  const pub = signer.publicKey;
  const jwkPublic = { kty: 'EC', crv: 'P-256', x: encodeBase64Url(pub.subarray(1, 33)), y: encodeBase64Url(pub.subarray(33)) };
  const jwkPrivate = { ...jwkPublic, d: encodeBase64Url(signer.exportPrivateKey()) };
  const alg = { name: 'ECDSA', namedCurve: 'P-256' };
  return {
    signer,
    jwkPrivate,
    jwkPublic,
    nodePrivate: createPrivateKey({ key: jwkPrivate, format: 'jwk' }),
    nodePublic: createPublicKey({ key: jwkPublic, format: 'jwk' }),
    webPrivate: await crypto.subtle.importKey('jwk', jwkPrivate, alg, false, ['sign']),
    webPublic: await crypto.subtle.importKey('jwk', jwkPublic, alg, false, ['verify']),
  };
}
