import { CloudMfaError, constantTimeEqual, createSoftwareSigner, decodeBase32, encodeBase32, pureJsCryptoProvider, signerFromHost, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { createCryptoProvider, webCryptoProvider } from '@cloudmfa/core/providers';

const used = { CloudMfaError, constantTimeEqual, createCryptoProvider, createSoftwareSigner, decodeBase32, encodeBase32, pureJsCryptoProvider, signerFromHost, utf8Decode, utf8Encode, webCryptoProvider };
globalThis.print?.(`HERMES-RESULT ${JSON.stringify({ textEncoder: typeof globalThis.TextEncoder, exports: Object.keys(used).map((k) => `${k}:${typeof used[k]}`) })}`);
