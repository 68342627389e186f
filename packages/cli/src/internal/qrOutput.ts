import QRCode from 'qrcode';
import type { OptionSpec } from './args.js';
import type { Context } from './context.js';
import { usage } from './errors.js';

export type QrFormat = 'terminal' | 'svg' | 'png';

/** `--qr FORMAT` and `--out FILE`. */
export const QR_OPTIONS: readonly OptionSpec[] = [
  { name: 'qr', value: 'required', valueName: 'FORMAT', help: 'also render the QR code: terminal, svg or png' },
  { name: 'out', short: 'o', value: 'required', valueName: 'FILE', help: 'write the QR code to FILE (required for svg and png; mode 0600)' },
];

/** How to render one text as each QR format. */
export interface QrRenderers {
  terminal(): string | Promise<string>;
  svg(): string | Promise<string>;
  png(): Uint8Array | Promise<Uint8Array>;
}

/** The validated `--qr` / `--out` request, read before any work is done. */
export interface QrRequest {
  format: QrFormat;
  out: string | undefined;
}

/** Reads and checks `--qr` and `--out` (`undefined` when no QR was asked for). */
export function readQrRequest(ctx: Context): QrRequest | undefined {
  const format = ctx.value('qr');
  const out = ctx.value('out');
  if (format === undefined) {
    if (out !== undefined) usage('--out needs --qr terminal|svg|png');
    return undefined;
  }
  if (format !== 'terminal' && format !== 'svg' && format !== 'png') usage('--qr expected terminal, svg or png');
  if (format !== 'terminal' && out === undefined) usage(`--qr ${format} needs --out FILE`);
  if (out === '') usage('--out expected a file name');
  return { format, out };
}

/**
 * Renders the QR and writes it to `--out`, or returns the terminal text for stdout. Call after
 * everything else has succeeded and before printing, so a failure leaves stdout empty.
 */
export async function renderQr(ctx: Context, request: QrRequest, renderers: QrRenderers): Promise<string | undefined> {
  const data = await renderers[request.format]();
  if (request.out === undefined) return data as string;
  await ctx.writeOutput(request.out, data);
  return undefined;
}

/** Renderers for arbitrary text (an otpauth URI): byte mode as `qrcode` picks it, level M. */
export function textQrRenderers(text: string): QrRenderers {
  return {
    terminal: () => QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }),
    svg: () => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }),
    png: async () => new Uint8Array(await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 })),
  };
}
