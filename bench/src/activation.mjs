// Activation envelope: open at the default KDF cost (pure JS, native scrypt through the
// CryptoProvider seam, Hermes), the non-KDF overhead, seal, and QR rendering.
// Goals (issue 3): open <= 300 ms in Node with pure JS; non-KDF overhead <= 5 ms.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedemption, normalizePassword, openEnvelope } from '@cloudmfa/activation';
import { sealEnvelope } from '@cloudmfa/activation/server';
import {
  qrVersion,
  renderQrPng,
  renderQrSvg,
  renderQrTerminal,
} from '@cloudmfa/activation/qr';
import { createSoftwareSigner, decodeBase45, pureJsCryptoProvider } from '@cloudmfa/core';
import { createCryptoProvider } from '@cloudmfa/core/providers';
import { runInHermes } from '../../scripts/hermes/harness.mjs';
import { bundleSize, fmt, median, nodeScryptAsync, table, timeRuns } from './_measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', '..', 'packages', 'activation');
const { vectors } = JSON.parse(readFileSync(join(pkg, 'test', 'vectors', 'envelopes.json'), 'utf8'));
const vector = vectors.find((v) => v.name === 'online-scrypt-default');
const fullLength = vectors.find((v) => v.name === 'online-full-length');
// Layout (docs/protocol/activation.md section 2): byte 0 version+mode, byte 1 KDF id, 3 scrypt
// parameter bytes, then the 16-byte salt.
const SALT_OFFSET = 5;

export default async function activation(ctx) {
  const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(', ');
  const open = (crypto) => openEnvelope({ text: vector.text, password: vector.password, now: () => vector.now, crypto });
  const nativeProvider = createCryptoProvider({ name: 'node-scrypt', scrypt: nodeScryptAsync });

  // The envelope's real key, computed once, so a provider can return it with no KDF work:
  // opening with it measures exactly the non-KDF part of openEnvelope.
  const bytes = decodeBase45(vector.text.slice(5));
  const salt = bytes.slice(SALT_OFFSET, SALT_OFFSET + 16);
  const password = new TextEncoder().encode(normalizePassword(vector.password));
  const realKey = await nodeScryptAsync(password, salt, { N: 2 ** 15, r: 8, p: 1, dkLen: 32 });
  const instantProvider = createCryptoProvider({ name: 'precomputed-key', scrypt: async () => Uint8Array.from(realKey) });

  for (let i = 0; i < 2; i++) await open(undefined); // warm-up
  ctx.log('open, pure JS ...');
  const pure = await timeRuns(() => open(undefined), 9);
  // The default provider's scrypt alone (what openEnvelope calls), interleaved with opens so
  // both see the same machine load: the difference is our own code.
  const pureKdfOnly = [];
  const pureInterleaved = [];
  for (let i = 0; i < 9; i++) {
    pureKdfOnly.push(...(await timeRuns(() => pureJsCryptoProvider.scrypt(password, salt, { N: 2 ** 15, r: 8, p: 1, dkLen: 32 }), 1)));
    pureInterleaved.push(...(await timeRuns(() => open(undefined), 1)));
  }
  ctx.log('open, node:crypto scrypt ...');
  await open(nativeProvider);
  const native = await timeRuns(() => open(nativeProvider), 9);
  const kdfOnly = await timeRuns(() => nodeScryptAsync(password, salt, { N: 2 ** 15, r: 8, p: 1, dkLen: 32 }), 9);
  for (let i = 0; i < 50; i++) await open(instantProvider);
  const overhead = await timeRuns(() => open(instantProvider), 200);

  ctx.log('seal + QR ...');
  const { payload } = vector;
  const seal = () => sealEnvelope({ payload, password: vector.password, now: () => vector.now });
  await seal();
  const sealRuns = await timeRuns(seal, 7);
  const renders = {};
  for (const [name, fn] of [
    ['SVG', () => renderQrSvg({ text: vector.text })],
    ['PNG', () => renderQrPng({ text: vector.text })],
    ['terminal', () => renderQrTerminal({ text: vector.text })],
  ]) {
    for (let i = 0; i < 20; i++) fn();
    renders[name] = median(await timeRuns(fn, 100));
  }
  const sealAndPng = await timeRuns(async () => renderQrPng({ text: (await seal()).text }), 5);

  const device = createSoftwareSigner({ algorithm: 'ES256' });
  const opened = await open(instantProvider);
  const redeem = () => createRedemption({ payload: opened.payload, deviceSigner: device, pushToken: 'token', platform: 'ios', now: () => vector.now });
  for (let i = 0; i < 10; i++) await redeem();
  const redeemRuns = await timeRuns(redeem, 50);

  ctx.log('Hermes, default cost ...');
  let hermes = 'not measured';
  try {
    const { result } = await runInHermes(join(pkg, 'test', 'hermes', 'open-default.ts'), 'activation-bench', { timeoutMs: 300_000 });
    hermes = `${result.runs.map((ms) => `${ms}`).join(', ')} ms (median ${fmt(median(result.runs))} ms)`;
  } catch (err) {
    hermes = `failed: ${String(err).split('\n')[0]}`;
  }

  const phoneBundle = await bundleSize(
    "export { openEnvelope, createRedemption, openRedemptionResponse } from '@cloudmfa/activation';",
    here,
  );
  const qrBundle = await bundleSize("export { renderQrSvg, renderQrPng } from '@cloudmfa/activation';", here);

  const ms = (x) => `${fmt(x)} ms`;
  return [
    `Envelope: the frozen vector \`online-scrypt-default\` (${bytes.length} bytes, ${vector.text.length} characters, QR version ${qrVersion({ text: vector.text })}-M), scrypt N=2^15, r=8, p=1. ` +
      `The full-length case (\`online-full-length\`: 32-character issuer, 64-character origin; the account travels in the redemption response) is ${fullLength.text.length} characters, QR version ${qrVersion({ text: fullLength.text })}-M. ` +
      `Load average at the start of the run: ${loadAtStart}.`,
    '',
    table(
      ['Operation', 'Median', 'Runs', 'Goal'],
      [
        ['openEnvelope, pure JS (core's scrypt, ported from @noble/hashes)', ms(median(pure)), String(pure.length), '<= 300 ms'],
        ['  pure-JS provider scrypt alone / openEnvelope, interleaved', `${ms(median(pureKdfOnly))} / ${ms(median(pureInterleaved))}`, `${pureKdfOnly.length} each`, ''],
        ['openEnvelope, node:crypto scrypt via the CryptoProvider seam', ms(median(native)), String(native.length), ''],
        ['  node:crypto scrypt alone (same parameters)', ms(median(kdfOnly)), String(kdfOnly.length), ''],
        ['  non-KDF overhead (open with a precomputed key)', ms(median(overhead)), String(overhead.length), '<= 5 ms'],
        ['openEnvelope in Hermes, pure JS', hermes, '3', 'report'],
        ['sealEnvelope, pure JS', ms(median(sealRuns)), String(sealRuns.length), 'report'],
        ['seal + render PNG', ms(median(sealAndPng)), String(sealAndPng.length), 'report'],
        ['render SVG / PNG / terminal', `${ms(renders.SVG)} / ${ms(renders.PNG)} / ${ms(renders.terminal)}`, '100 each', 'report'],
        ['createRedemption (ES256 software key, ECDH, HMAC)', ms(median(redeemRuns)), String(redeemRuns.length), ''],
      ],
    ),
    '',
    `Ratio pure-JS scrypt open / native-scrypt open: ${fmt(median(pure) / median(native))}x. ` +
      `Phone path bundle (openEnvelope + createRedemption + openRedemptionResponse, with core, noble and zod/mini): ${fmt(phoneBundle / 1024)} KiB min+gzip; QR renderers: ${fmt(qrBundle / 1024)} KiB.`,
  ].join('\n');
}
