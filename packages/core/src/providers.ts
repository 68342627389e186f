/** @module @cloudmfa/core/providers */
// `@cloudmfa/core/providers`: wiring a host's own crypto into the SDK (`createCryptoProvider`
// for a native scrypt, PBKDF2 or ECDSA; `webCryptoProvider` for servers and browsers). A subpath
// of its own so that phone bundles, which Metro does not tree-shake, carry neither unless the
// app plugs a native KDF (docs/benchmarks.md, bench:bundle).
export { type CreateCryptoProviderOptions, createCryptoProvider } from './crypto/createCryptoProvider.js';
export { webCryptoProvider } from './crypto/webcrypto.js';
