import { CloudMfaError, checkedRandom, type RandomSource, systemRandom } from '@cloudmfa/core';
import type { KekProvider } from '@cloudmfa/server';
import pkcs11js from 'pkcs11js';
import { ckr, configError } from './errors.js';
import { type Handle, internalsOf, type Pkcs11Token, type TokenInternals } from './openPkcs11Token.js';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const DATA_KEY_LENGTH = 32;
const DECRYPT_MESSAGE = 'a stored secret could not be opened';
// What C_Decrypt answers for a GCM tag that does not verify: the standard codes, and
// CKR_GENERAL_ERROR, which SoftHSM2 (2.6) returns for a failed tag check.
const NOT_AUTHENTIC = new Set(['CKR_ENCRYPTED_DATA_INVALID', 'CKR_ENCRYPTED_DATA_LEN_RANGE', 'CKR_GENERAL_ERROR']);

/**
 * Options of {@link createPkcs11KekProvider}.
 *
 * @example
 * ```ts
 * const options: Pkcs11KekProviderOptions = { token, currentKeyId: 'kek-2026' };
 * ```
 */
export interface Pkcs11KekProviderOptions {
  token: Pkcs11Token;
  /** The `CKA_LABEL` of the AES-256 key that wraps new data keys (`^[A-Za-z0-9._-]{1,64}$`). */
  currentKeyId: string;
  /** Source of the 96-bit GCM IVs. Default `systemRandom`. */
  random?: RandomSource;
}

function gcm(iv: Uint8Array, aad: Uint8Array): pkcs11js.Mechanism {
  return { mechanism: pkcs11js.CKM_AES_GCM, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv: Buffer.from(iv), ivBits: IV_LENGTH * 8, aad: Buffer.from(aad), tagBits: TAG_LENGTH * 8 } as pkcs11js.GcmParams };
}

const bool = (b: Buffer | undefined) => b !== undefined && b.length > 0 && b[0] !== 0;

/** The handle of the AES KEK labelled `keyId`, checked to be a 32-byte, sensitive, non-extractable key; `null` when absent. */
async function findKek(t: TokenInternals, keyId: string): Promise<Handle | null> {
  const found = await t.find([
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_LABEL, value: keyId },
  ]);
  if (found.length === 0) return null;
  if (found.length > 1) throw configError(`more than one AES key labelled ${keyId} on the token`);
  const handle = found[0] as Handle;
  const attrs = await t.run(async (s) =>
    t.module.C_GetAttributeValue(s, handle, [
      { type: pkcs11js.CKA_VALUE_LEN },
      { type: pkcs11js.CKA_SENSITIVE },
      { type: pkcs11js.CKA_EXTRACTABLE },
      { type: pkcs11js.CKA_ENCRYPT },
      { type: pkcs11js.CKA_DECRYPT },
    ]),
  );
  const len = attrs[0]?.value as Buffer | undefined;
  const valueLen = len ? len.readUIntLE(0, Math.min(len.length, 6)) : 0;
  if (valueLen !== DATA_KEY_LENGTH) throw configError(`the key ${keyId} is not an AES-256 key`);
  if (!bool(attrs[1]?.value as Buffer) || bool(attrs[2]?.value as Buffer)) throw configError(`the key ${keyId} must be CKA_SENSITIVE and not CKA_EXTRACTABLE`);
  if (!bool(attrs[3]?.value as Buffer) || !bool(attrs[4]?.value as Buffer)) throw configError(`the key ${keyId} must allow CKA_ENCRYPT and CKA_DECRYPT`);
  return handle;
}

/**
 * A `KekProvider` (`@cloudmfa/server`, docs/server.md section 2.1) whose KEKs are AES-256 keys
 * in a PKCS#11 token, found by `CKA_LABEL` (the key id). A data key is wrapped with `C_Encrypt`
 * under `CKM_AES_GCM` (random 96-bit IV, the associated data as AAD, 128-bit tag), stored as
 * `iv || ciphertext || tag`; the KEK never leaves the token. The current key must exist and be
 * 32 bytes, `CKA_SENSITIVE`, not `CKA_EXTRACTABLE`, with encrypt and decrypt, or this throws
 * `ERR_PKCS11_CONFIG`. Older key ids are looked up when a wrapped key names them.
 *
 * At run time: a wrapped key that does not verify throws `ERR_SERVER_DECRYPT`, an id with no
 * key on the token `ERR_SERVER_KEY_UNKNOWN`, any other token failure `ERR_KEK_UNAVAILABLE`
 * (naming the `CKR_` code only). One KEK must wrap fewer than 2^32 data keys (random IVs,
 * NIST SP 800-38D): rotate it before.
 *
 * @example
 * ```ts
 * const token = openPkcs11Token({ library: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'cloudmfa', pin });
 * const kek = await createPkcs11KekProvider({ token, currentKeyId: 'kek-2026' });
 * const server = createMfaServer({ store, keys: { kek, push }, issuer: 'Acme' });
 * ```
 */
export async function createPkcs11KekProvider({ token, currentKeyId, random = systemRandom }: Pkcs11KekProviderOptions): Promise<KekProvider> {
  const t = internalsOf(token);
  if (typeof currentKeyId !== 'string' || !KEY_ID.test(currentKeyId)) throw configError('"currentKeyId" expected ^[A-Za-z0-9._-]{1,64}$');
  const draw = checkedRandom(random);
  const handles = new Map<string, Promise<Handle | null>>();
  const handleOf = (keyId: string): Promise<Handle | null> => {
    let h = handles.get(keyId);
    if (!h) {
      h = findKek(t, keyId);
      handles.set(keyId, h);
      // A failed or empty lookup is not remembered: the key may be added, the token may come back.
      h.then(
        (found) => {
          if (found === null) handles.delete(keyId);
        },
        () => handles.delete(keyId),
      );
    }
    return h;
  };
  if ((await handleOf(currentKeyId)) === null) throw configError(`no AES key labelled ${currentKeyId} on the token`);

  const unavailable = (what: string, e: unknown) => new CloudMfaError('ERR_KEK_UNAVAILABLE', `PKCS#11 ${what} failed (${ckr(e)})`);

  return Object.freeze({
    currentKeyId,
    async wrapKey({ dataKey, associatedData }: { dataKey: Uint8Array; associatedData: Uint8Array }) {
      const key = await handleOf(currentKeyId).catch((e: unknown) => {
        throw unavailable('key lookup', e);
      });
      if (key === null) throw new CloudMfaError('ERR_KEK_UNAVAILABLE', `the key ${currentKeyId} is no longer on the token`);
      const iv = draw(IV_LENGTH);
      const input = Buffer.from(dataKey);
      try {
        const out = await t.run(async (s) => {
          t.module.C_EncryptInit(s, gcm(iv, associatedData), key);
          return t.module.C_EncryptAsync(s, input, Buffer.alloc(input.length + TAG_LENGTH));
        });
        return { keyId: currentKeyId, wrappedKey: Uint8Array.from(Buffer.concat([Buffer.from(iv), out])) };
      } catch (e) {
        if (e instanceof CloudMfaError) throw e;
        throw unavailable('C_Encrypt', e);
      } finally {
        input.fill(0);
      }
    },
    async unwrapKey({ keyId, wrappedKey, associatedData }: { keyId: string; wrappedKey: Uint8Array; associatedData: Uint8Array }) {
      if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) throw new CloudMfaError('ERR_SERVER_KEY_UNKNOWN', 'a stored secret names a key-encryption key id that is not configured');
      if (!(wrappedKey instanceof Uint8Array) || wrappedKey.length !== IV_LENGTH + DATA_KEY_LENGTH + TAG_LENGTH) throw new CloudMfaError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      let key: Handle | null;
      try {
        key = await handleOf(keyId);
      } catch (e) {
        if (e instanceof CloudMfaError && e.code === 'ERR_PKCS11_CONFIG') throw new CloudMfaError('ERR_KEK_UNAVAILABLE', `the key ${keyId} on the token is not usable as a KEK`);
        throw unavailable('key lookup', e);
      }
      if (key === null) throw new CloudMfaError('ERR_SERVER_KEY_UNKNOWN', 'a stored secret names a key-encryption key id that is not configured');
      const k = key;
      let out: Buffer;
      try {
        out = await t.run(async (s) => {
          t.module.C_DecryptInit(s, gcm(wrappedKey.subarray(0, IV_LENGTH), associatedData), k);
          return t.module.C_DecryptAsync(s, Buffer.from(wrappedKey.subarray(IV_LENGTH)), Buffer.alloc(DATA_KEY_LENGTH + TAG_LENGTH));
        });
      } catch (e) {
        if (e instanceof CloudMfaError) throw e;
        if (NOT_AUTHENTIC.has(ckr(e))) throw new CloudMfaError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
        throw unavailable('C_Decrypt', e);
      }
      const dataKey = Uint8Array.from(out);
      out.fill(0);
      return dataKey;
    },
  });
}
