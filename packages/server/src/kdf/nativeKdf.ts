// The server's default key derivation where no `node` condition applies (workers, browsers,
// bundles built for them): none, so the pure-JS scrypt and PBKDF2 of core are used and no Node
// built-in is imported. The `node` variant is nativeKdf.node.ts.
import type { CryptoProvider } from '@cloudmfa/core';

/** No native KDF on this runtime. */
export function nativeKdf(): CryptoProvider | null {
  return null;
}
