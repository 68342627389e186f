import { CloudMfaError, constantTimeEqual, createCryptoProvider, createSoftwareSigner, decodeBase32, encodeBase32, pureJsCryptoProvider, signerFromHost, utf8Decode, utf8Encode, webCryptoProvider } from '@cloudmfa/core';

const used = { CloudMfaError, constantTimeEqual, createCryptoProvider, createSoftwareSigner, decodeBase32, encodeBase32, pureJsCryptoProvider, signerFromHost, utf8Decode, utf8Encode, webCryptoProvider };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
