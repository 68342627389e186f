// Shared test helpers: run the CLI in-process or as the built executable, pinned randomness,
// and a QR decoder for every format the CLI writes (PNG via jsQR, SVG and terminal rasterised
// here, then jsQR).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { runCli } from '../src/index.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Fixed test time: 2023-11-14T22:13:20Z. */
export const NOW_MS = 1_700_000_000_000;

/**
 * A deterministic byte source (SHA-256 in counter mode over a seed): every test pins its
 * randomness with it.
 */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let counter = 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = sha256(Uint8Array.of(seed & 0xff, (seed >>> 8) & 0xff, (seed >>> 16) & 0xff, seed >>> 24, counter & 0xff, (counter >>> 8) & 0xff, (counter >>> 16) & 0xff, counter >>> 24));
      counter++;
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

/** A small deterministic PRNG for choosing test cases (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `runCli` in-process with a pinned clock and random source. */
export async function run(
  argv: string[],
  options: { stdin?: string; env?: Record<string, string>; now?: number; seed?: number; cwd?: string } = {},
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const status = await runCli({
    argv,
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      stdin: async () => {
        if (options.stdin === undefined) throw new Error('this test gives no stdin');
        return options.stdin;
      },
      env: options.env ?? {},
      now: () => options.now ?? NOW_MS,
      random: seededRandom(options.seed ?? 1),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    },
  });
  return { status, stdout, stderr };
}

/** Runs the built executable (`dist/bin.js`, as `pnpm exec cloudmfa` does). */
export function spawnBin(argv: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): RunResult {
  if (!existsSync(BIN)) throw new Error('packages/cli/dist/bin.js is missing: run `pnpm build` (the test command builds first)');
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...(options.env ?? {}) },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Decodes a PNG QR code with jsQR. */
export function decodePng(bytes: Uint8Array): string | undefined {
  const png = PNG.sync.read(Buffer.from(bytes));
  return jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data;
}

/** A module matrix (true = dark) drawn at `scale` pixels per module with a 4-module quiet zone, then jsQR. */
function decodeMatrix(rows: boolean[][], scale = 4): string | undefined {
  const size = rows.length + 8;
  const w = size * scale;
  const px = new Uint8ClampedArray(w * w * 4).fill(255);
  rows.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + 4) * scale + dy) * w + (x + 4) * scale + dx) * 4;
          px[i] = px[i + 1] = px[i + 2] = 0;
        }
      }
    }),
  );
  return jsQR(px, w, w)?.data;
}

/**
 * Rasterises the SVG that `qrcode` writes (one stroked path of `M x y.5 h n m dx dy ...`
 * runs, one module high) and decodes it.
 */
export function decodeSvg(svg: string): string | undefined {
  const view = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const path = /<path stroke="[^"]*" d="([^"]+)"/.exec(svg);
  if (!view || !path) return undefined;
  const size = Number(view[1]);
  const rows = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  let x = 0;
  let y = 0;
  for (const [, op, a, b] of (path[1] as string).matchAll(/([MmHhVv])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?/g)) {
    const n = Number(a);
    if (op === 'M') [x, y] = [n, Number(b)];
    else if (op === 'm') [x, y] = [x + n, y + Number(b)];
    else if (op === 'h') {
      for (let i = 0; i < n; i++) (rows[Math.floor(y)] as boolean[])[x + i] = true;
      x += n;
    } else throw new Error(`unexpected SVG path operator ${op}`);
  }
  return decodeMatrix(rows);
}

/**
 * Reads `qrcode`'s small terminal rendering back into modules and decodes it: each character
 * is two module rows (`▀` upper half, `▄` lower half, `█` both, in the foreground colour; the
 * rest in the background colour); a module is dark where the colour is black (SGR 30 / 40).
 */
export function decodeTerminal(text: string): string | undefined {
  const rows: boolean[][] = [];
  let fg = 'default';
  let bg = 'default';
  for (const line of text.split('\n')) {
    const top: boolean[] = [];
    const bottom: boolean[] = [];
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what we read
    for (const [, sgr, ch] of line.matchAll(/\u001b\[([0-9;]*)m|([^\u001b])/g)) {
      if (sgr !== undefined) {
        for (const c of sgr.split(';')) {
          if (c === '0' || c === '') fg = bg = 'default';
          else if (c === '30') fg = 'black';
          else if (c === '37') fg = 'white';
          else if (c === '40') bg = 'black';
          else if (c === '47') bg = 'white';
        }
        continue;
      }
      const upper = ch === '▀' || ch === '█' ? fg : bg;
      const lower = ch === '▄' || ch === '█' ? fg : bg;
      top.push(upper === 'black');
      bottom.push(lower === 'black');
    }
    if (top.length > 0) rows.push(top, bottom);
  }
  const width = Math.max(...rows.map((r) => r.length));
  return decodeMatrix(rows.map((r) => [...r, ...new Array<boolean>(width - r.length).fill(false)]));
}
