export { decodeBase32, encodeBase32 } from './base32.js';
export { BASE45_ALPHABET, decodeBase45, encodeBase45 } from './base45.js';
export { decodeBase64Url, encodeBase64Url } from './base64url.js';
export {
  bytesToHex,
  concatBytes,
  constantTimeEqual,
  constantTimeEqualString,
  hexToBytes,
  utf8Decode,
  utf8Encode,
} from './bytes.js';
export {
  derToRawSignature,
  isLowS,
  normalizeP256Signature,
  type P256SignatureFormat,
  rawToDerSignature,
} from './crypto/ecdsa.js';
export {
  type CryptoProvider,
  type HashAlgorithm,
  nobleHash,
  type Pbkdf2Params,
  pureJsCryptoProvider,
  type ScryptParams,
} from './crypto/provider.js';
export {
  createSoftwareSigner,
  type SignatureAlgorithm,
  type Signer,
  type SoftwareSigner,
  signerFromHost,
} from './crypto/signer.js';
export { CloudMfaError, type CloudMfaErrorCode, type CoreErrorCode, isCloudMfaError } from './errors.js';
export { type Clock, checkedRandom, fixedClock, type RandomSource, systemClock, systemRandom } from './runtime.js';
