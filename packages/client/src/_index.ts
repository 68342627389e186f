// The public index's record (docs/protocol/vault.md section 12): what the engine shows and
// verifies while the vault is locked (names, policies, pinned server keys, origins), signed by a
// device key of its own so that an edit made while the vault is locked is refused rather than
// believed. The vault stays authoritative: every unlock rewrites (and re-signs) the index.
import { CloudMfaError, concatBytes, type CryptoProvider, normalizeP256Signature, type Signer, utf8Encode } from '@cloudmfa/core';

/** The index record: magic, version, then the raw r||s ES256 signature, then the body. */
const MAGIC = [0x43, 0x4d, 0x46, 0x49]; // "CMFI"
const VERSION = 0x01;
const HEAD = MAGIC.length + 1;
const SIGNATURE = 64;
const CONTEXT = utf8Encode('cloudmfa/client/index/v1');

/** The device-key handle of the index key, under the engine's key prefix. */
export const indexKeyHandle = (keyPrefix: string): string => `index.${keyPrefix}`;

// What is signed: a context string, the key prefix (an index moved to another prefix is
// refused) and the body.
function signedMessage(keyPrefix: string, body: Uint8Array): Uint8Array {
  const prefix = utf8Encode(keyPrefix);
  return concatBytes(CONTEXT, new Uint8Array([0, prefix.length]), prefix, body);
}

/** Signs `body` (the index JSON) with the index key into a stored record. */
export async function sealIndex(options: { body: Uint8Array; signer: Signer; keyPrefix: string }): Promise<Uint8Array> {
  const { body, signer, keyPrefix } = options;
  if (signer.algorithm !== 'ES256') throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"deviceKeys" expected ES256 keys');
  const signature = normalizeP256Signature(await signer.sign(signedMessage(keyPrefix, body)));
  return concatBytes(new Uint8Array([...MAGIC, VERSION]), signature, body);
}

/**
 * Checks a stored index record against the index key's public key and returns its body.
 * Anything else (a record in another format, an unsigned index of an earlier version, a bad
 * signature, no index key) throws `ERR_CLIENT_INDEX`: the engine then trusts nothing of it.
 */
export async function openIndex(options: { record: Uint8Array; publicKey: Uint8Array | null; keyPrefix: string; crypto: CryptoProvider }): Promise<Uint8Array> {
  const { record, publicKey, keyPrefix, crypto } = options;
  const refused = (): never => {
    throw new CloudMfaError('ERR_CLIENT_INDEX', 'the public index is not signed by this app\'s index key');
  };
  if (record.length < HEAD + SIGNATURE || MAGIC.some((b, i) => record[i] !== b) || record[MAGIC.length] !== VERSION) return refused();
  if (publicKey === null) return refused();
  const body = record.slice(HEAD + SIGNATURE);
  let ok = false;
  try {
    ok = await crypto.p256Verify(publicKey, signedMessage(keyPrefix, body), record.subarray(HEAD, HEAD + SIGNATURE));
  } catch {
    ok = false;
  }
  if (!ok) return refused();
  return body;
}
