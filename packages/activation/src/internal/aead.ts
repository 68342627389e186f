// XChaCha20-Poly1305 (docs/protocol/activation.md section 2.2). Decryption failures carry no
// detail: the caller throws its own fixed message.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

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
