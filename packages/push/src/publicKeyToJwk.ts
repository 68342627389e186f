import type { SignatureAlgorithm } from '@cloudmfa/core';
import { assertPushPublicKey, jwkOf, type PublicJwk, thumbprintOf } from './_keys.js';
import type { PushPublicKey } from './types.js';

const ALGORITHMS: readonly SignatureAlgorithm[] = ['ES256', 'EdDSA'];

/**
 * A public JWK (RFC 7517) for a push key, with `kid` (its thumbprint), `alg` and `use`.
 *
 * @example
 * ```ts
 * const jwks = { keys: [publicKeyToJwk(serverPushKey)] satisfies PushPublicJwk[] };
 * ```
 */
export type PushPublicJwk = PublicJwk & { readonly kid: string; readonly alg: SignatureAlgorithm; readonly use: 'sig' };

/**
 * The public JWK of a push key, for publishing the server's key set or handing a key to a
 * standard JOSE library. Never includes private material. Throws `ERR_INVALID_ARGUMENT` for a
 * key of the wrong form.
 *
 * @example
 * ```ts
 * import { importJWK, jwtVerify } from 'jose';
 * const key = await importJWK(publicKeyToJwk(serverSigner));
 * await jwtVerify(challengeToken, key, { typ: PUSH_TYP.challenge });
 * ```
 */
export function publicKeyToJwk(key: PushPublicKey): PushPublicJwk {
  assertPushPublicKey(key, 'key', ALGORITHMS);
  return Object.freeze({ ...jwkOf(key), kid: thumbprintOf(key), alg: key.algorithm, use: 'sig' as const });
}
