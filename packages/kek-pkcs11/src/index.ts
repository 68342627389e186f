export { createPkcs11KekProvider, type Pkcs11KekProviderOptions } from './createPkcs11KekProvider.js';
export { createPkcs11Signer, type Pkcs11SignerOptions } from './createPkcs11Signer.js';
export type { Pkcs11ErrorCode } from './errors.js';
export { type GeneratePkcs11KeyOptions, generatePkcs11Kek, generatePkcs11SigningKey } from './generatePkcs11Keys.js';
export { type OpenPkcs11TokenOptions, openPkcs11Token, type Pkcs11Token } from './openPkcs11Token.js';
