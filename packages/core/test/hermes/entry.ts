// Runs inside Hermes (no Node, no TextEncoder, no crypto.getRandomValues): see hermes.test.ts.
import { bytesToHex, CloudMfaError, checkedRandom, createSoftwareSigner, decodeBase32, decodeBase45, decodeBase64Url, encodeBase32, encodeBase45, encodeBase64Url, hexToBytes, isCloudMfaError, normalizeP256Signature, pureJsCryptoProvider, rawToDerSignature, signerFromHost, systemRandom, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';

declare const print: (line: string) => void;

// Deterministic bytes for the test only: Hermes CLI has no secure random source.
const seeded = (n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 37 + 11) & 0xff;
  return out;
};

const codeOf = async (fn: () => unknown): Promise<string> => {
  try {
    await fn();
    return 'no error';
  } catch (err) {
    return isCloudMfaError(err) ? err.code : `foreign: ${String(err)}`;
  }
};

async function main(): Promise<Record<string, unknown>> {
  const signer = createSoftwareSigner({ algorithm: 'ES256', random: checkedRandom(seeded) });
  const message = utf8Encode('cloudmfa in hermes');
  const sig = await signer.sign(message);
  // The high-S twin, through DER, as a hardware host would return it.
  const n = hexToBytes('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  const high = Uint8Array.from(sig);
  let borrow = 0;
  for (let i = 31; i >= 0; i--) {
    let d = (n[i] as number) - (sig[32 + i] as number) - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 256;
    high[32 + i] = d;
  }
  const host = signerFromHost({ algorithm: 'ES256', publicKey: signer.publicKey, sign: async () => rawToDerSignature(high) });

  const cause = new Error('inner');
  const err = new CloudMfaError('ERR_TEST', 'outer', { cause });
  const leaky = createCryptoProvider({
    scrypt: async () => {
      throw new Error('password hunter2');
    },
  });
  let providerMessage = '';
  try {
    await leaky.scrypt(utf8Encode('hunter2'), utf8Encode('salt'), { N: 16, r: 1, p: 1, dkLen: 16 });
  } catch (e) {
    providerMessage = `${(e as CloudMfaError).code}:${(e as Error).message.includes('hunter2')}`;
  }

  return {
    base32: encodeBase32(utf8Encode('12345678901234567890')),
    base32Back: utf8Decode(decodeBase32('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')),
    base32Bad: await codeOf(() => decodeBase32('MZXW6YTB========')),
    base45: encodeBase45(utf8Encode('ietf!')),
    base45Back: utf8Decode(decodeBase45('QED8WEX0')),
    base64url: encodeBase64Url(new Uint8Array([251, 255])),
    base64urlBad: await codeOf(() => decodeBase64Url('-_8=')),
    utf8: bytesToHex(utf8Encode('é€😀\ud800')),
    utf8Bad: await codeOf(() => utf8Decode(hexToBytes('c0af'))),
    hmac: bytesToHex(pureJsCryptoProvider.hmac('SHA1', utf8Encode('12345678901234567890'), new Uint8Array(8))),
    hkdf: bytesToHex(
      pureJsCryptoProvider.hkdfSha256(
        hexToBytes('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'),
        hexToBytes('000102030405060708090a0b0c'),
        hexToBytes('f0f1f2f3f4f5f6f7f8f9'),
        42,
      ),
    ),
    pbkdf2: bytesToHex(await pureJsCryptoProvider.pbkdf2Sha256(utf8Encode('passwd'), utf8Encode('salt'), { iterations: 1, dkLen: 16 })),
    signatureLength: sig.length,
    verified: await pureJsCryptoProvider.p256Verify(signer.publicKey, message, sig),
    tamperedVerified: await pureJsCryptoProvider.p256Verify(signer.publicKey, utf8Encode('tampered'), sig),
    highSVerified: await pureJsCryptoProvider.p256Verify(signer.publicKey, message, high),
    hostNormalised: bytesToHex(await host.sign(message)) === bytesToHex(sig),
    normaliseBad: await codeOf(() => normalizeP256Signature(new Uint8Array(64))),
    errorInstanceOf: err instanceof CloudMfaError && err instanceof Error,
    errorCode: err.code,
    errorName: err.name,
    errorCause: (err as { cause?: unknown }).cause === cause,
    providerError: providerMessage,
    noRandom: await codeOf(() => systemRandom(16)),
  };
}

main().then(
  (r) => print(`HERMES-RESULT ${JSON.stringify(r)}`),
  (e) => print(`HERMES-ERROR ${String(e)}`),
);
