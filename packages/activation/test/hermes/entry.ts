// Runs inside Hermes (no Node, no TextEncoder, no crypto.getRandomValues), bundled against the
// BUILT package: see ../hermes.test.ts. Seeded randomness is injected: Hermes CLI has no
// secure random source.
import { createRedemption, openEnvelope, openRedemptionResponse } from '@cloudmfa/activation';
import { createRedemptionResponse, verifyRedemption } from '@cloudmfa/activation/server';
import {
  qrVersion,
  renderQrPng,
  renderQrSvg,
} from '@cloudmfa/activation/qr';
import { bytesToHex, createSoftwareSigner, isCloudMfaError, pureJsCryptoProvider } from '@cloudmfa/core';
import vectorFile from '../vectors/envelopes.json';

declare const print: (line: string) => void;

/** Mirrored in ../hermes.test.ts: an otpauth URI with a raw (unescaped) non-ASCII issuer. */
const AUTO_TEXT = 'otpauth://totp/Zoë 認証 🔐:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Zoë 認証 🔐';

// Deterministic bytes for the test only.
let counter = 0;
const seeded = (n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (counter++ * 131 + 7) & 0xff;
  return out;
};

const vector = (name: string) => {
  const v = vectorFile.vectors.find((x) => x.name === name);
  if (!v) throw new Error(`no vector ${name}`);
  return v;
};

async function main(): Promise<Record<string, unknown>> {
  const cheap = vector('online-scrypt-cheap');
  const opened = await openEnvelope({ text: cheap.text, password: cheap.typed, now: () => cheap.now });
  if (opened.payload.mode !== 'online') throw new Error('expected online');

  const offline = vector('offline-hotp-scrypt-cheap');
  const openedOffline = await openEnvelope({ text: offline.text, password: offline.typed, now: () => offline.now });

  let wrongPasswordCode = '';
  try {
    await openEnvelope({ text: cheap.text, password: 'WRONG-PASS-WORD', now: () => cheap.now });
  } catch (err) {
    wrongPasswordCode = isCloudMfaError(err) ? err.code : `untyped: ${String(err)}`;
  }

  // The app side of redemption, then the server side and back, all inside Hermes.
  const device = createSoftwareSigner({ algorithm: 'ES256', random: seeded });
  const now = () => cheap.now + 10_000;
  const { request, state } = await createRedemption({ payload: opened.payload, deviceSigner: device, pushToken: 'apns-token-0123', platform: 'ios', now, random: seeded });
  const verified = await verifyRedemption({ request: JSON.parse(JSON.stringify(request)), activation: opened.payload, expiresAt: opened.header.expiresAt, now });
  if (!verified.ok) throw new Error(`verify failed: ${verified.reason}`);
  const seed = seeded(20);
  const push = createSoftwareSigner({ algorithm: 'ES256', random: seeded });
  const response = await createRedemptionResponse({
    verified,
    activation: opened.payload,
    account: 'ołga@example.org', // the server's record: the envelope carries no account
    seed,
    pushKey: { algorithm: 'ES256', publicKey: push.publicKey },
    enrolmentId: 'enr_hermes',
    random: seeded,
  });
  const identity = await openRedemptionResponse({ response: JSON.parse(JSON.stringify(response)), state });

  const def = vector('online-scrypt-default');
  const png = renderQrPng({ text: def.text });
  const full = vector('online-full-length');
  const openedFull = await openEnvelope({ text: full.text, password: full.typed, now: () => full.now });
  return {
    payload: opened.payload,
    offlinePayload: openedOffline.payload,
    wrongPasswordCode,
    request,
    seedBack: bytesToHex(identity.seed) === bytesToHex(seed),
    issuerBack: identity.issuer,
    accountBack: identity.account,
    previewKeys: Object.keys(opened.preview).sort(),
    fullPayload: openedFull.payload,
    fullExpiresAt: openedFull.header.expiresAt,
    qrVersion: qrVersion({ text: def.text }),
    qrVersionFull: qrVersion({ text: full.text }),
    svgLength: renderQrSvg({ text: def.text }).length,
    pngSha256: bytesToHex(pureJsCryptoProvider.hash('SHA256', png)),
    // 'auto' mode (an otpauth URI, raw UTF-8 too): byte segments without TextEncoder.
    autoVersion: qrVersion({ text: AUTO_TEXT, mode: 'auto' }),
    autoPngSha256: bytesToHex(pureJsCryptoProvider.hash('SHA256', renderQrPng({ text: AUTO_TEXT, mode: 'auto' }))),
  };
}

main().then(
  (r) => print(`HERMES-RESULT ${JSON.stringify(r)}`),
  (e) => print(`HERMES-ERROR ${String(e)} ${e && e.stack}`),
);
