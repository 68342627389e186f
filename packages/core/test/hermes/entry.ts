// Runs inside Hermes (no Node, no TextEncoder, no crypto.getRandomValues): see hermes.test.ts.
import {
  bytesToHex,
  createSoftwareSigner,
  decodeBase32,
  decodeBase45,
  encodeBase32,
  encodeBase45,
  pureJsCryptoProvider,
  utf8Decode,
  utf8Encode,
} from '@cloudmfa/core';

declare const print: (line: string) => void;

// Deterministic bytes for the test only: Hermes CLI has no secure random source.
const seeded = (n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 37 + 11) & 0xff;
  return out;
};

async function main(): Promise<Record<string, unknown>> {
  const signer = createSoftwareSigner({ algorithm: 'ES256', random: seeded });
  const message = utf8Encode('cloudmfa in hermes');
  const sig = await signer.sign(message);
  return {
    base32: encodeBase32(utf8Encode('12345678901234567890')),
    base32Back: utf8Decode(decodeBase32('gezdgnbvgy3tqojqgezdgnbvgy3tqojq')),
    base45: encodeBase45(utf8Encode('ietf!')),
    base45Back: utf8Decode(decodeBase45('QED8WEX0')),
    utf8: bytesToHex(utf8Encode('é€😀')),
    hmac: bytesToHex(pureJsCryptoProvider.hmac('SHA1', utf8Encode('12345678901234567890'), new Uint8Array(8))),
    signatureLength: sig.length,
    verified: await pureJsCryptoProvider.p256Verify(signer.publicKey, message, sig),
    tamperedVerified: await pureJsCryptoProvider.p256Verify(signer.publicKey, utf8Encode('tampered'), sig),
  };
}

main().then(
  (r) => print(`HERMES-RESULT ${JSON.stringify(r)}`),
  (e) => print(`HERMES-ERROR ${String(e)}`),
);
