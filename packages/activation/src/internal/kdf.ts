// Password -> envelope key through the CryptoProvider seam (async; the pure-JS default yields
// to the event loop, a host may plug native scrypt or PBKDF2).
import { CloudMfaError, type CryptoProvider, utf8Encode } from '@cloudmfa/core';
import type { KdfParameters } from '../types.js';
import { KEY_LENGTH } from './constants.js';

export async function deriveEnvelopeKey(
  provider: CryptoProvider,
  kdf: KdfParameters,
  normalizedPassword: string,
  salt: Uint8Array,
): Promise<Uint8Array> {
  const password = utf8Encode(normalizedPassword);
  let key: unknown;
  try {
    key =
      kdf.algorithm === 'scrypt'
        ? await provider.scrypt(password, salt, { N: 2 ** kdf.log2N, r: kdf.r, p: kdf.p, dkLen: KEY_LENGTH })
        : await provider.pbkdf2Sha256(password, salt, { iterations: kdf.iterations, dkLen: KEY_LENGTH });
  } catch {
    // No cause: a provider's error could quote its inputs.
    key = undefined;
  } finally {
    password.fill(0);
  }
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
    throw new CloudMfaError('ERR_ENVELOPE_KDF_FAILED', 'the password key derivation failed');
  }
  return key;
}
