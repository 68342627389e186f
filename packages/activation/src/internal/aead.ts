// XChaCha20-Poly1305 (docs/protocol/activation.md sections 2.2 and 5.5). Decryption failures
// carry no detail: the caller throws its own fixed message.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { NONCE_LENGTH } from './constants.js';

export function aeadSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

/** Returns the plaintext, or `undefined` when the tag does not verify. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch {
    return undefined;
  }
}

// The envelope's nonce is 24 zero bytes and is not transmitted: its key is derived from the
// password and a fresh random salt, so each key encrypts exactly one envelope (spec 2.2, as
// age's scrypt stanza does). A fresh array each call, so no caller can alter a shared one.
const envelopeNonce = (): Uint8Array => new Uint8Array(NONCE_LENGTH);

/** Encrypts an envelope payload under its single-use key, header bytes as associated data. */
export function envelopeSeal(key: Uint8Array, headerBytes: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return aeadSeal(key, envelopeNonce(), headerBytes, plaintext);
}

/** Opens `ciphertext || tag` of an envelope, or returns `undefined`. */
export function envelopeOpen(key: Uint8Array, headerBytes: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  return aeadOpen(key, envelopeNonce(), headerBytes, sealed);
}
