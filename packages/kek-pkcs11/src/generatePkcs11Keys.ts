import pkcs11js from 'pkcs11js';
import { ckr, configError } from './errors.js';
import { internalsOf, type Pkcs11Token } from './openPkcs11Token.js';
import { P256_EC_PARAMS, pointOf } from './createPkcs11Signer.js';

const LABEL = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Options of {@link generatePkcs11Kek} and {@link generatePkcs11SigningKey}.
 *
 * @example
 * ```ts
 * const options: GeneratePkcs11KeyOptions = { token, label: 'kek-2026' };
 * ```
 */
export interface GeneratePkcs11KeyOptions {
  token: Pkcs11Token;
  /** The new key's `CKA_LABEL` (its key id): `^[A-Za-z0-9._-]{1,64}$`, not in use on the token. */
  label: string;
}

async function checkFree(token: Pkcs11Token, label: string): Promise<void> {
  if (typeof label !== 'string' || !LABEL.test(label)) throw configError('"label" expected ^[A-Za-z0-9._-]{1,64}$');
  if ((await internalsOf(token).find([{ type: pkcs11js.CKA_LABEL, value: label }])).length > 0) throw configError(`a key labelled ${label} is already on the token`);
}

/**
 * Generates a KEK in the token: a persistent AES-256 key, `CKA_SENSITIVE`, not
 * `CKA_EXTRACTABLE`, for encrypt and decrypt only (what {@link createPkcs11KekProvider}
 * requires). A label in use throws `ERR_PKCS11_CONFIG`.
 *
 * @example
 * ```ts
 * await generatePkcs11Kek({ token, label: 'kek-2027' }); // then make it the provider's currentKeyId
 * ```
 */
export async function generatePkcs11Kek({ token, label }: GeneratePkcs11KeyOptions): Promise<void> {
  await checkFree(token, label);
  const t = internalsOf(token);
  await t.run(async (s) => {
    try {
      await t.module.C_GenerateKeyAsync(s, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_WRAP, value: false },
        { type: pkcs11js.CKA_UNWRAP, value: false },
        { type: pkcs11js.CKA_LABEL, value: label },
      ]);
    } catch (e) {
      throw configError(`generating the AES key ${label} failed (${ckr(e)})`);
    }
  });
}

/**
 * Generates a P-256 key pair in the token for {@link createPkcs11Signer}: the private key
 * persistent, `CKA_SENSITIVE`, not `CKA_EXTRACTABLE`, sign only. Returns the uncompressed
 * public key (65 bytes). A label in use throws `ERR_PKCS11_CONFIG`.
 *
 * @example
 * ```ts
 * await generatePkcs11SigningKey({ token, label: 'push-2026' });
 * const push = await createPkcs11Signer({ token, keyLabel: 'push-2026' });
 * ```
 */
export async function generatePkcs11SigningKey({ token, label }: GeneratePkcs11KeyOptions): Promise<Uint8Array> {
  await checkFree(token, label);
  const t = internalsOf(token);
  return t.run(async (s) => {
    let pair: { publicKey: Buffer; privateKey: Buffer };
    try {
      pair = await t.module.C_GenerateKeyPairAsync(
        s,
        { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_VERIFY, value: true },
          { type: pkcs11js.CKA_EC_PARAMS, value: P256_EC_PARAMS },
          { type: pkcs11js.CKA_LABEL, value: label },
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SIGN, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: false },
          { type: pkcs11js.CKA_LABEL, value: label },
        ],
      );
    } catch (e) {
      throw configError(`generating the EC key pair ${label} failed (${ckr(e)})`);
    }
    const [point] = t.module.C_GetAttributeValue(s, pair.publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
    const publicKey = point?.value instanceof Buffer ? pointOf(point.value) : null;
    if (!publicKey) throw configError(`the new public key ${label} has no uncompressed P-256 point`);
    return publicKey;
  });
}
