import type { SignatureAlgorithm } from '@cloudmfa/core';
import { assertPushPublicKey, thumbprintOf } from './_keys.js';
import type { PushPublicKey } from './types.js';

const ALGORITHMS: readonly SignatureAlgorithm[] = ['ES256', 'EdDSA'];

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url, 43 characters) of a push public key: the
 * `kid` every push token carries. Equal to `jose`'s `calculateJwkThumbprint(publicKeyToJwk(key))`.
 * Throws `ERR_INVALID_ARGUMENT` for a key of the wrong form.
 *
 * @example
 * ```ts
 * const kid = publicKeyThumbprint(serverSigner); // a Signer has { algorithm, publicKey }
 * ```
 */
export function publicKeyThumbprint(key: PushPublicKey): string {
  assertPushPublicKey(key, 'key', ALGORITHMS);
  return thumbprintOf(key);
}
