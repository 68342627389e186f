import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OnlineActivationPayload, qrVersion, renderQrPng, renderQrSvg, renderQrTerminal } from '@cloudmfa/activation';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createAlphanumericQr } from '../src/internal/qr.js';
import { cheapEnvelope } from './fixtures.js';
import { thrown } from './helpers.js';
import vectorFile from './vectors/envelopes.json' with { type: 'json' };

const texts = vectorFile.vectors.map((v) => v.text);
const typical = vectorFile.vectors.find((v) => v.name === 'online-scrypt-default')!;

function payloadWith(issuer: string, account: string, origin: string): OnlineActivationPayload {
  return {
    mode: 'online',
    activationId: 'AAECAwQFBgcICQoLDA0ODw',
    activationSecret: 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8',
    issuer,
    account,
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

describe('QR size', () => {
  it('the typical online envelope fits version 10 at level M', () => {
    expect(typical.text).toHaveLength(271);
    expect(qrVersion(typical.text, 'M')).toBeLessThanOrEqual(10);
    expect(qrVersion(typical.text)).toBe(10);
  });

  it('the version-10 budget is exactly 78 UTF-8 bytes of issuer + account + origin (without https://)', async () => {
    // 24 + 32 + 22 = 78 bytes.
    const fits = await cheapEnvelope(payloadWith('A'.repeat(24), `${'j'.repeat(23)}@acme.com`, `https://${'m'.repeat(18)}.com`));
    expect(fits.text).toHaveLength(311);
    expect(qrVersion(fits.text)).toBe(10);
    // One more byte needs version 11.
    const over = await cheapEnvelope(payloadWith('A'.repeat(25), `${'j'.repeat(23)}@acme.com`, `https://${'m'.repeat(18)}.com`));
    expect(qrVersion(over.text)).toBe(11);
  });

  it('issuer 32 + account 64 + origin 64 all at once needs version 13 (see the spec: irreducible)', async () => {
    const max = await cheapEnvelope(payloadWith('A'.repeat(32), `${'j'.repeat(55)}@acme.com`, `https://${'m'.repeat(52)}.com`));
    expect(qrVersion(max.text)).toBe(13);
  });

  it('encodes one alphanumeric segment, never byte mode', () => {
    const symbol = createAlphanumericQr(typical.text) as unknown as { segments: Array<{ mode: { id: string } }> };
    expect(symbol.segments.map((s) => s.mode.id)).toEqual(['Alphanumeric']);
  });

  it('refuses text outside the QR alphanumeric set', () => {
    for (const bad of ['cmfa:abc', 'CMFA:#', '', 'é']) {
      expect(thrown(() => renderQrPng(bad)).code).toBe('ERR_INVALID_ARGUMENT');
      expect(thrown(() => qrVersion(bad)).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(thrown(() => renderQrPng(typical.text, { scale: 0 })).code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('rendered QR codes decode back to the text with real decoders', () => {
  it('PNG via jsQR', () => {
    for (const text of texts) {
      const img = PNG.sync.read(Buffer.from(renderQrPng(text)));
      const decoded = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
      expect(decoded?.data).toBe(text);
    }
  });

  it('PNG via zbarimg (ZBar, a separate C decoder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudmfa-qr-'));
    for (const [i, text] of texts.entries()) {
      const file = join(dir, `envelope-${i}.png`);
      writeFileSync(file, renderQrPng(text, { scale: 3 }));
      expect(execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '')).toBe(text);
    }
  });

  it('SVG: its path draws exactly the QR matrix, which decodes to the text', () => {
    const symbol = createAlphanumericQr(typical.text);
    const size = symbol.modules.size;
    const svg = renderQrSvg(typical.text);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 65 65"/);
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
    const full = renderQrTerminal(typical.text);
    const rows = full
      .split('\n')
      .filter((l) => l.length > 0)
      .map((line) => [...line.matchAll(/\x1b\[(4[07])m {2}\x1b\[0m/g)].map((m) => m[1] === '40'));
    // One white module of margin on each side.
    expect(decodeMatrix(rows.slice(1, -1).map((r) => r.slice(1, -1)))).toBe(typical.text);

    const small = renderQrTerminal(typical.text, { small: true });
    const size = createAlphanumericQr(typical.text).modules.size;
    const halfRows = small.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    const grid: boolean[][] = [];
    for (const line of halfRows) {
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
    const matrix = grid.slice(1, 1 + size).map((r) => r.slice(1, 1 + size));
    expect(decodeMatrix(matrix)).toBe(typical.text);
  });
});
