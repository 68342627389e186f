import { createHash } from 'node:crypto';
import { type Signer, signerFromHost } from '@cloudmfa/core';
import pkcs11js from 'pkcs11js';
import { configError } from './errors.js';
import { type Handle, internalsOf, type Pkcs11Token } from './openPkcs11Token.js';

/** DER of the P-256 curve OID (1.2.840.10045.3.1.7), as `CKA_EC_PARAMS` holds it. */
export const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

/** `CKA_EC_POINT` is a DER OCTET STRING of the point (some modules give the bare point). */
export function pointOf(value: Buffer): Uint8Array | null {
  if (value.length === 67 && value[0] === 0x04 && value[1] === 0x41 && value[2] === 0x04) return Uint8Array.from(value.subarray(2));
  if (value.length === 65 && value[0] === 0x04) return Uint8Array.from(value);
  return null;
}

/**
 * Options of {@link createPkcs11Signer}.
 *
 * @example
 * ```ts
 * const options: Pkcs11SignerOptions = { token, keyLabel: 'push-2026' };
 * ```
 */
export interface Pkcs11SignerOptions {
  token: Pkcs11Token;
  /** The `CKA_LABEL` of the EC P-256 private key and of its public key object. */
  keyLabel: string;
}

async function findOne(token: Pkcs11Token, cls: number, label: string): Promise<Handle> {
  const found = await internalsOf(token).find([
    { type: pkcs11js.CKA_CLASS, value: cls },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
    { type: pkcs11js.CKA_LABEL, value: label },
  ]);
  const kind = cls === pkcs11js.CKO_PRIVATE_KEY ? 'private' : 'public';
  if (found.length !== 1) throw configError(`expected one EC ${kind} key labelled ${label} on the token, found ${found.length}`);
  return found[0] as Handle;
}

/**
 * An ES256 `Signer` (core's seam; `keys.push` of `createMfaServer`) whose P-256 private key
 * stays in a PKCS#11 token. The message is hashed with SHA-256 here and signed with
 * `CKM_ECDSA` in the token; the signature is returned as raw `r || s` with low S, like every
 * SDK signer. A key that is missing or not on P-256 throws `ERR_PKCS11_CONFIG`; a token failure
 * while signing throws `ERR_SIGNER_FAILED` (core's, with the `CKR_` error as cause).
 *
 * @example
 * ```ts
 * const push = await createPkcs11Signer({ token, keyLabel: 'push-2026' });
 * const server = createMfaServer({ store, keys: { kek, push }, issuer: 'Acme' });
 * ```
 */
export async function createPkcs11Signer({ token, keyLabel }: Pkcs11SignerOptions): Promise<Signer> {
  const t = internalsOf(token);
  if (typeof keyLabel !== 'string' || keyLabel.length === 0 || keyLabel.length > 64) throw configError('"keyLabel" expected 1..64 characters');
  const priv = await findOne(token, pkcs11js.CKO_PRIVATE_KEY, keyLabel);
  const pub = await findOne(token, pkcs11js.CKO_PUBLIC_KEY, keyLabel);
  const [point, params] = await t.run(async (s) => t.module.C_GetAttributeValue(s, pub, [{ type: pkcs11js.CKA_EC_POINT }, { type: pkcs11js.CKA_EC_PARAMS }]));
  if (!(params?.value instanceof Buffer) || !params.value.equals(P256_EC_PARAMS)) throw configError(`the key ${keyLabel} is not on P-256`);
  const publicKey = point?.value instanceof Buffer ? pointOf(point.value) : null;
  if (!publicKey) throw configError(`the public key ${keyLabel} has no uncompressed P-256 point`);
  return signerFromHost({
    algorithm: 'ES256',
    publicKey,
    signatureFormat: 'raw',
    sign: (message: Uint8Array) =>
      t.run(async (s) => {
        const digest = createHash('sha256').update(message).digest();
        t.module.C_SignInit(s, { mechanism: pkcs11js.CKM_ECDSA }, priv);
        return Uint8Array.from(await t.module.C_SignAsync(s, digest, Buffer.alloc(72)));
      }),
  });
}
