/** @module @cloudmfa/core/sha */
// SHA-1, SHA-256 and SHA-512 for the SDK's packages: the streaming hash objects (in
// @noble/hashes' shape, for noble's HMAC, HKDF, PBKDF2 and the curves) and the raw compression
// functions behind them (for @cloudmfa/otp's preallocated HOTP HMAC). One SHA family on the
// phone: Metro does not tree-shake (docs/benchmarks.md, bundle section). Apps use the
// `CryptoProvider` seam of `@cloudmfa/core` instead.
export { sha1, sha256, sha512 } from './crypto/hash.js';
export { type AlgIndex, BLOCK_BYTES, BUFFER_WORDS, COMPRESS, DIGEST_BYTES, digest, IVS, readWord } from './crypto/sha.js';
