import { CloudMfaError, encodeBase64Url, type SignatureAlgorithm, utf8Encode } from '@cloudmfa/core';
import { sha256 } from '@cloudmfa/core/sha';
import type { PushPublicKey } from './types.js';

/** Throws `ERR_INVALID_ARGUMENT` unless `key` is a public key of one of the `allowed` algorithms. */
export function assertPushPublicKey(
  key: unknown,
  title: string,
  allowed: readonly SignatureAlgorithm[],
): asserts key is PushPublicKey {
  const k = key as Partial<PushPublicKey> | null;
  if (typeof k !== 'object' || k === null) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected { algorithm, publicKey }`);
  }
  if (!allowed.includes(k.algorithm as SignatureAlgorithm)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}.algorithm" expected ${allowed.join(' or ')}`);
  }
  assertPublicKeyBytes(k.publicKey, `${title}.publicKey`, k.algorithm as SignatureAlgorithm);
}

/** Throws `ERR_INVALID_ARGUMENT` unless `bytes` has the wire form of an `algorithm` public key. */
export function assertPublicKeyBytes(bytes: unknown, title: string, algorithm: SignatureAlgorithm): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected Uint8Array`);
  }
  if (algorithm === 'ES256' && (bytes.length !== 65 || bytes[0] !== 0x04)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected an uncompressed P-256 point (65 bytes starting 0x04), got ${bytes.length} bytes`);
  }
  if (algorithm === 'EdDSA' && bytes.length !== 32) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected a 32-byte Ed25519 key, got ${bytes.length} bytes`);
  }
}

/** The public JWK members of a key, in RFC 7638's lexicographic order. */
export type PublicJwk =
  | { readonly crv: 'P-256'; readonly kty: 'EC'; readonly x: string; readonly y: string }
  | { readonly crv: 'Ed25519'; readonly kty: 'OKP'; readonly x: string };

export function jwkOf(key: PushPublicKey): PublicJwk {
  if (key.algorithm === 'ES256') {
    return {
      crv: 'P-256',
      kty: 'EC',
      x: encodeBase64Url(key.publicKey.subarray(1, 33)),
      y: encodeBase64Url(key.publicKey.subarray(33, 65)),
    };
  }
  return { crv: 'Ed25519', kty: 'OKP', x: encodeBase64Url(key.publicKey) };
}

// Servers verify many responses per device key: the thumbprint (a JSON string, SHA-256 and
// base64url, ~20 us) is remembered for recently seen keys. Public data only; bounded.
const THUMBPRINT_CACHE_SIZE = 512;
const thumbprints = new Map<string, string>();

/** RFC 7638 thumbprint: SHA-256 over the required members, sorted, no whitespace. */
export function thumbprintOf(key: PushPublicKey): string {
  const id = key.algorithm + String.fromCharCode.apply(null, key.publicKey as unknown as number[]);
  const hit = thumbprints.get(id);
  if (hit !== undefined) return hit;
  const value = computeThumbprint(key);
  if (thumbprints.size >= THUMBPRINT_CACHE_SIZE) thumbprints.delete(thumbprints.keys().next().value as string);
  thumbprints.set(id, value);
  return value;
}

function computeThumbprint(key: PushPublicKey): string {
  const jwk = jwkOf(key);
  const canonical =
    jwk.kty === 'EC'
      ? `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`
      : `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`;
  return encodeBase64Url(sha256(utf8Encode(canonical)));
}
