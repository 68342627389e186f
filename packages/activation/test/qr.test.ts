import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRedemption,
  ENVELOPE_TEXT_PREFIX,
  type OnlineActivationPayload,
  openEnvelope,
  openRedemptionResponse,
} from '@cloudmfa/activation';
import { createActivationPayload, createRedemptionResponse, verifyRedemption } from '@cloudmfa/activation/server';
import {
  qrVersion,
  renderQrPng,
  renderQrSvg,
  renderQrTerminal,
} from '@cloudmfa/activation/qr';
import { createSoftwareSigner, decodeBase45, utf8Encode } from '@cloudmfa/core';
import { formatOtpauthUri } from '@cloudmfa/otp/server';
import fc from 'fast-check';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import qrcodeCore from 'qrcode/lib/core/qrcode.js';
import svgRenderer from 'qrcode/lib/renderer/svg-tag.js';
import { describe, expect, it } from 'vitest';
import { createAlphanumericQr, createAutoQr, createQrSymbol } from '../src/internal/qr.js';
import { CHEAP_PASSWORD, cheapEnvelope } from './fixtures.js';
import { seededRandom, T0, thrown } from './helpers.js';
import vectorFile from './vectors/envelopes.json' with { type: 'json' };

const texts = vectorFile.vectors.map((v) => v.text);
const typical = vectorFile.vectors.find((v) => v.name === 'online-scrypt-default')!;
const fullLength = vectorFile.vectors.find((v) => v.name === 'online-full-length')!;

function payloadWith(issuer: string, origin: string): OnlineActivationPayload {
  return {
    mode: 'online',
    activationId: 'AAECAwQFBgcICQoLDA0ODw',
    activationSecret: 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8',
    issuer,
    origin,
    policy: { pinRequired: true, minPinLength: 6, biometricsAllowed: true },
    otp: { type: 'totp', algorithm: 'SHA1', digits: 6, period: 30 },
  };
}

/** Decodes a module matrix (true = dark) with jsQR, drawn at 4 px per module with a 4-module quiet zone. */
function decodeMatrix(matrix: boolean[][]): string | undefined {
  const scale = 4;
  const quiet = 4;
  const side = (matrix.length + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  matrix.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const o = (((y + quiet) * scale + dy) * side + (x + quiet) * scale + dx) * 4;
          rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
        }
      }
    }),
  );
  return jsQR(rgba, side, side)?.data;
}

/** The module matrix drawn by the small terminal renderer (half blocks, one module of margin). */
function smallTerminalMatrix(small: string, size: number): boolean[][] {
  const grid: boolean[][] = [];
  for (const line of small.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))) {
    if (line.length === 0) continue;
    const top: boolean[] = [];
    const bottom: boolean[] = [];
    for (const ch of line) {
      top.push(ch === '▀' || ch === '█');
      bottom.push(ch === '▄' || ch === '█');
    }
    grid.push(top, bottom);
  }
  // Rows and columns start one module before the symbol (the margin).
  return grid.slice(1, 1 + size).map((r) => r.slice(1, 1 + size));
}

/** An origin of exactly `length` characters: `https://` + a hostname of letters, digits, dots and hyphens. */
const originOf = (length: number) => {
  const host = `login-${'x'.repeat(length - 'https://'.length - 'login-'.length - '.example'.length)}.example`;
  const origin = `https://${host}`;
  expect(origin).toHaveLength(length);
  return origin;
};
const envelopeBytes = (text: string) => decodeBase45(text.slice(ENVELOPE_TEXT_PREFIX.length)).length;

describe('QR size (docs/protocol/activation.md section 4)', () => {
  it('the typical online envelope: 129 bytes, 199 characters, version 8 at level M', () => {
    expect(envelopeBytes(typical.text)).toBe(129);
    expect(typical.text).toHaveLength(199);
    expect(qrVersion({ text: typical.text, errorCorrection: 'M' })).toBe(8);
  });

  it('issuer 32 + account 64 + origin 64: the envelope fits version 10 at level M; the account goes to the server side', async () => {
    // Realistic worst case in ASCII: every character one UTF-8 byte, punctuation included, an
    // origin with a port; the account has tags and dots as real addresses do.
    const issuer = 'Worldwide Logistics & Co. (EMEA)';
    const origin = 'https://authentication.eu-west-1.worldwide-logistic.example:8443';
    const account = 'firstname.middlename.lastname+mfa-enrolments-2026@eu.example.com';
    expect([issuer.length, account.length, origin.length]).toEqual([32, 64, 64]);
    for (const s of [issuer, account, origin]) expect(utf8Encode(s)).toHaveLength(s.length);

    // The frozen vector at this length, sealed once: 186 bytes, 284 characters.
    expect(fullLength.payload).toMatchObject({ issuer, origin });
    expect(envelopeBytes(fullLength.text)).toBe(27 + 16 + 55 + 32 + 56);
    expect(fullLength.text).toHaveLength(284);
    expect(qrVersion({ text: fullLength.text, errorCorrection: 'M' })).toBeLessThanOrEqual(10);
    expect(qrVersion({ text: fullLength.text, errorCorrection: 'M' })).toBe(10);

    // Through the public API, and on to a full redemption that delivers the 64-character
    // account: the server gives it to createRedemptionResponse, the envelope never holds it.
    const random = seededRandom('full-length');
    const payload = createActivationPayload({ issuer, origin, policy: { pinRequired: true, minPinLength: 16, biometricsAllowed: true }, otp: { algorithm: 'SHA512', digits: 10, period: 3600 }, random });
    const { text } = await cheapEnvelope(payload);
    expect(text).toHaveLength(284);
    expect(qrVersion({ text, errorCorrection: 'M' })).toBe(10);
    const opened = await openEnvelope({ text, password: CHEAP_PASSWORD, now: () => T0 });
    expect(opened.preview).not.toHaveProperty('account');
    if (opened.payload.mode !== 'online') throw new Error('expected online');
    const now = () => T0 + 5_000;
    const device = createSoftwareSigner({ algorithm: 'ES256', random });
    const { request, state } = await createRedemption({ payload: opened.payload, deviceSigner: device, pushToken: null, platform: 'android', now, random });
    const verified = await verifyRedemption({ request: JSON.parse(JSON.stringify(request)), activation: payload, expiresAt: T0 + 300_000, now });
    if (!verified.ok) throw new Error(verified.reason);
    const pushKey = { algorithm: 'ES256' as const, publicKey: createSoftwareSigner({ random }).publicKey };
    const response = await createRedemptionResponse({ verified, activation: payload, account, seed: random(64), pushKey, enrolmentId: 'enr_full', random });
    const identity = await openRedemptionResponse({ response: JSON.parse(JSON.stringify(response)), state });
    expect(identity).toMatchObject({ issuer, account, origin });
  });

  it('the version-10 budget is exactly 106 UTF-8 bytes of issuer + origin (without https://)', async () => {
    // 50 + 56 = 106 bytes: 204-byte envelope, 311 characters, the whole of version 10-M.
    const fits = await cheapEnvelope(payloadWith('A'.repeat(50), originOf(64)));
    expect(envelopeBytes(fits.text)).toBe(204);
    expect(fits.text).toHaveLength(311);
    expect(qrVersion({ text: fits.text })).toBe(10);
    // One more byte needs version 11.
    const over = await cheapEnvelope(payloadWith('A'.repeat(51), originOf(64)));
    expect(over.text).toHaveLength(313);
    expect(qrVersion({ text: over.text })).toBe(11);
  });

  it('the limit is in bytes: 32 two-byte characters fit beside a 50-character origin, not beside a 64-character one', async () => {
    const issuer = 'é'.repeat(32);
    expect(utf8Encode(issuer)).toHaveLength(64); // the issuer's own cap
    expect(qrVersion({ text: (await cheapEnvelope(payloadWith(issuer, originOf(50)))).text })).toBe(10);
    expect(qrVersion({ text: (await cheapEnvelope(payloadWith(issuer, originOf(51)))).text })).toBe(11);
    expect(qrVersion({ text: (await cheapEnvelope(payloadWith(issuer, originOf(64)))).text })).toBe(11);
    // Three-byte characters: 21 fit the 64-byte cap; 16 fit beside the longest origin in version 10.
    expect(qrVersion({ text: (await cheapEnvelope(payloadWith('認'.repeat(16), originOf(64)))).text })).toBe(10);
    expect(qrVersion({ text: (await cheapEnvelope(payloadWith('認'.repeat(17), originOf(64)))).text })).toBe(11);
  });

  it('the largest possible online envelope (64-byte issuer, 127-character origin) still seals and renders, at version 13', async () => {
    const largest = await cheapEnvelope(payloadWith('A'.repeat(64), originOf(127)));
    expect(envelopeBytes(largest.text)).toBe(27 + 16 + 55 + 64 + 119);
    expect(qrVersion({ text: largest.text })).toBe(13);
    expect(renderQrPng({ text: largest.text }).length).toBeGreaterThan(0);
  });

  it('encodes one alphanumeric segment, never byte mode', () => {
    const symbol = createAlphanumericQr(typical.text) as unknown as { segments: Array<{ mode: { id: string } }> };
    expect(symbol.segments.map((s) => s.mode.id)).toEqual(['Alphanumeric']);
  });

  it('refuses text outside the QR alphanumeric set', () => {
    for (const bad of ['cmfa:abc', 'CMFA:#', '', 'é']) {
      expect(thrown(() => renderQrPng({ text: bad })).code).toBe('ERR_INVALID_ARGUMENT');
      expect(thrown(() => qrVersion({ text: bad })).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(thrown(() => renderQrPng({ text: typical.text, scale: 0 })).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('rendered QR codes decode back to the text with real decoders', () => {
  it('PNG via jsQR', () => {
    for (const text of texts) {
      const img = PNG.sync.read(Buffer.from(renderQrPng({ text })));
      const decoded = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
      expect(decoded?.data).toBe(text);
    }
  });

  it('PNG via zbarimg (ZBar, a separate C decoder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-qr-'));
    for (const [i, text] of texts.entries()) {
      const file = join(dir, `envelope-${i}.png`);
      writeFileSync(file, renderQrPng({ text, scale: 3 }));
      expect(execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '')).toBe(text);
    }
  });

  it('SVG: its path draws exactly the QR matrix, which decodes to the text', () => {
    const symbol = createAlphanumericQr(typical.text);
    const size = symbol.modules.size;
    const svg = renderQrSvg({ text: typical.text });
    // Version 8: 49 modules, plus a 4-module quiet zone on each side.
    expect(size).toBe(49);
    expect(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size + 8} ${size + 8}"`)).toBe(true);
    const d = /<path stroke="#000000" d="([^"]+)"/.exec(svg)![1]!;
    const drawn = Array.from({ length: size + 8 }, () => Array<boolean>(size + 8).fill(false));
    let x = 0;
    let y = 0;
    for (const [, cmd, a, b] of d.matchAll(/([Mmh])(-?\d+(?:\.\d+)?)(?: (-?\d+(?:\.\d+)?))?/g)) {
      if (cmd === 'M') [x, y] = [Number(a), Number(b) - 0.5];
      else if (cmd === 'm') x += Number(a);
      else for (let i = 0; i < Number(a); i++) drawn[y]![x++] = true;
    }
    const expected = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => symbol.modules.data[r * size + c] !== 0));
    const inner = drawn.slice(4, 4 + size).map((row) => row.slice(4, 4 + size));
    expect(inner).toEqual(expected);
    expect(decodeMatrix(inner)).toBe(typical.text);
  });

  it('terminal output (full and small) decodes to the text', () => {
    const full = renderQrTerminal({ text: typical.text });
    const rows = full
      .split('\n')
      .filter((l) => l.length > 0)
      .map((line) => [...line.matchAll(/\x1b\[(4[07])m {2}\x1b\[0m/g)].map((m) => m[1] === '40'));
    // One white module of margin on each side.
    expect(decodeMatrix(rows.slice(1, -1).map((r) => r.slice(1, -1)))).toBe(typical.text);

    const small = renderQrTerminal({ text: typical.text, small: true });
    expect(decodeMatrix(smallTerminalMatrix(small, createAlphanumericQr(typical.text).modules.size))).toBe(typical.text);
  });
});

/** The segments of a symbol as `qrcode` records them. */
type SymbolSegments = { segments: Array<{ mode: { id: string }; data: unknown; getBitsLength(): number }> };
const segmentsOf = (symbol: unknown) => (symbol as SymbolSegments).segments;
/** Character-count bits per mode and version (ISO/IEC 18004 table 3). */
const countBits = (mode: string, version: number) => {
  const group = version < 10 ? 0 : version < 27 ? 1 : 2;
  return ({ Numeric: [10, 12, 14], Alphanumeric: [9, 11, 13], Byte: [8, 16, 16], Kanji: [8, 10, 12] } as Record<string, number[]>)[mode]![group]!;
};
/** Data bits of a symbol's segments at `version`: mode indicators, counts and data. */
const dataBits = (symbol: unknown, version: number) => segmentsOf(symbol).reduce((n, s) => n + 4 + countBits(s.mode.id, version) + s.getBitsLength(), 0);
/** qrcode's own segmentation of a string (Node has the TextEncoder it needs). */
const qrcodeOwn = (text: string, level: 'L' | 'M' | 'Q' | 'H') =>
  (qrcodeCore as unknown as { create(t: string, o: object): { version: number } }).create(text, { errorCorrectionLevel: level });
const decodePngBytes = (png: Uint8Array) => {
  const img = PNG.sync.read(Buffer.from(png));
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data;
};
const symbolMatrix = (symbol: { modules: { size: number; data: Uint8Array } }) => {
  const size = symbol.modules.size;
  return Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => symbol.modules.data[r * size + c] !== 0));
};

describe("mode: 'auto' (any text, e.g. an otpauth URI)", () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  const uris = [
    formatOtpauthUri({ type: 'totp', secret, issuer: 'Acme Co', account: 'alice@example.com' }).uri,
    formatOtpauthUri({ type: 'hotp', secret, issuer: 'Zoë & Søn', account: 'ołga+mfa@example.org', counter: 42, digits: 8, algorithm: 'SHA256' }).uri,
    formatOtpauthUri({ type: 'totp', secret: secret.repeat(4), issuer: 'I'.repeat(64), account: `${'a'.repeat(100)}@example.com`, period: 60 }).uri,
  ];

  it('an otpauth URI PNG decodes back with jsQR and with zbarimg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-qr-auto-'));
    for (const [i, uri] of uris.entries()) {
      const png = renderQrPng({ text: uri, mode: 'auto', scale: 3 });
      expect(decodePngBytes(png)).toBe(uri);
      const file = join(dir, `otpauth-${i}.png`);
      writeFileSync(file, png);
      expect(execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '')).toBe(uri);
    }
  });

  it('SVG and terminal output of an otpauth URI draw the same symbol, which decodes to the URI', () => {
    const uri = uris[0]!;
    const symbol = createQrSymbol(uri, { mode: 'auto' });
    expect(decodeMatrix(symbolMatrix(symbol))).toBe(uri);
    // The SVG renderer is handed that very symbol (same segments, same mask).
    expect(renderQrSvg({ text: uri, mode: 'auto' })).toBe(svgRenderer.render(symbol, { margin: 4 }));
    expect(decodeMatrix(smallTerminalMatrix(renderQrTerminal({ text: uri, mode: 'auto', small: true }), symbol.modules.size))).toBe(uri);
  });

  it('an otpauth URI is byte mode with its base32 secret as one alphanumeric run', () => {
    const symbol = createAutoQr(uris[0]);
    expect(segmentsOf(symbol).map((s) => s.mode.id)).toEqual(['Byte', 'Alphanumeric', 'Byte']);
    expect(segmentsOf(symbol)[1]!.data).toBe(secret);
    expect(qrVersion({ text: uris[0]!, mode: 'auto' })).toBe(symbol.version);
    expect(symbol.version).toBe(qrcodeOwn(uris[0]!, 'M').version);
  });

  it('the default stays alphanumeric: an otpauth URI without mode: auto is refused, an envelope is unchanged', () => {
    for (const render of [() => renderQrPng({ text: uris[0]! }), () => renderQrSvg({ text: uris[0]! }), () => renderQrTerminal({ text: uris[0]! }), () => qrVersion({ text: uris[0]! })]) {
      expect(thrown(render).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(renderQrPng({ text: typical.text, mode: 'alphanumeric' })).toEqual(renderQrPng({ text: typical.text }));
    expect(qrVersion({ text: typical.text, errorCorrection: 'Q' })).toBe(qrVersion({ text: typical.text, errorCorrection: 'Q' }));
    // 'auto' also reads an envelope (all alphanumeric; digit runs may go numeric), never larger.
    expect(decodePngBytes(renderQrPng({ text: typical.text, mode: 'auto' }))).toBe(typical.text);
    expect(qrVersion({ text: typical.text, mode: 'auto' })).toBeLessThanOrEqual(qrVersion({ text: typical.text }));
  });

  it('never needs more bits than qrcode’s own segmentation (seeded property, all levels)', () => {
    const alphabet = ['0', '7', '9', 'A', 'Z', ':', '/', ' ', '%', 'a', 'z', '?', '&', '=', '@', 'é', 'ł', '認', '🔐', '\n'];
    const run = fc.tuple(fc.constantFrom(...alphabet), fc.integer({ min: 1, max: 40 })).map(([c, n]) => c.repeat(n));
    const text = fc.array(fc.oneof(run, fc.constantFrom(...alphabet)), { minLength: 1, maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom('L', 'M', 'Q', 'H') as fc.Arbitrary<'L' | 'M' | 'Q' | 'H'>, (t, level) => {
        const ours = createAutoQr(t, level);
        const theirs = qrcodeOwn(t, level);
        expect(ours.version).toBeLessThanOrEqual(theirs.version);
        expect(dataBits(ours, theirs.version)).toBeLessThanOrEqual(dataBits(theirs, theirs.version));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('decodes back to the text: digits, uppercase, lowercase, UTF-8 up to four bytes (seeded property)', () => {
    const alphabet = ['0', '5', 'A', 'Q', '$', '.', 'b', 'x', '#', 'é', 'ß', '認', '証', '🔐'];
    const text = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 120 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(decodeMatrix(symbolMatrix(createAutoQr(t)))).toBe(t);
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it('plans per version group: the character-count fields widen at versions 10 and 27', () => {
    // Long texts land in the larger groups and still decode.
    for (const t of ['12345678'.repeat(40) + 'abc'.repeat(60), `otpauth://totp/${'x'.repeat(900)}?secret=${secret.repeat(20)}`]) {
      const symbol = createAutoQr(t, 'L');
      expect(symbol.version).toBeGreaterThan(9);
      expect(symbol.version).toBeLessThanOrEqual(qrcodeOwn(t, 'L').version);
      expect(decodeMatrix(symbolMatrix(symbol))).toBe(t);
    }
  });

  it('refuses misuse with ERR_INVALID_ARGUMENT and never quotes the text', () => {
    const withSecret = uris[0]!;
    const cases: Array<() => unknown> = [
      () => renderQrPng({ text: withSecret, mode: 'byte' as never }),
      () => renderQrPng({ text: '', mode: 'auto' }),
      () => renderQrPng({ text: `${withSecret}\ud800`, mode: 'auto' }),
      () => renderQrPng({ text: `${withSecret}${'x'.repeat(3000)}`, mode: 'auto' }),
      () => renderQrPng({ text: '7'.repeat(7090), mode: 'auto' }),
      () => renderQrPng({ text: withSecret, mode: 'auto', errorCorrection: 'X' as never }),
      () => renderQrPng('auto' as never),
      () => renderQrSvg({ text: withSecret, mode: 'auto', width: 5 }),
      () => qrVersion({ text: withSecret, mode: 'auto', errorCorrection: 'Z' as never }),
      () => qrVersion(7 as never),
      () => renderQrTerminal({ text: 42 as never, mode: 'auto' }),
    ];
    for (const c of cases) {
      const e = thrown(c);
      expect(e.code).toBe('ERR_INVALID_ARGUMENT');
      expect(e.message).not.toContain(secret);
      expect(e.message).not.toContain('otpauth');
    }
    // 7089 digits are the most any QR code holds: that fits, in version 40-L.
    expect(qrVersion({ text: '7'.repeat(7089), mode: 'auto', errorCorrection: 'L' })).toBe(40);
  });
});
