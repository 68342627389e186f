import { type QrMode, renderQrPng, renderQrSvg, renderQrTerminal } from '@cloudmfa/activation/qr';
import type { OptionSpec } from './args.js';
import type { Context } from './context.js';
import { usage } from './errors.js';

type QrFormat = 'terminal' | 'svg' | 'png';

/** `--qr FORMAT` and `--out FILE`. */
export const QR_OPTIONS: readonly OptionSpec[] = [
  { name: 'qr', value: 'required', valueName: 'FORMAT', help: 'also render the QR code: terminal, svg or png' },
  { name: 'out', short: 'o', value: 'required', valueName: 'FILE', help: 'write the QR code to FILE (required for svg and png; mode 0600)' },
];

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
 * Renders `text` as the requested QR format with the activation package's renderers (level M;
 * `mode` 'alphanumeric' for envelope text, 'auto' for an otpauth URI) and writes it to `--out`,
 * or returns the terminal text for stdout. Call after everything else has succeeded and before
 * printing, so a failure leaves stdout empty.
 */
export async function renderQr(ctx: Context, request: QrRequest, text: string, mode: QrMode): Promise<string | undefined> {
  const data =
    request.format === 'terminal'
      ? renderQrTerminal({ text, mode, small: true })
      : request.format === 'svg'
        ? renderQrSvg({ text, mode })
        : renderQrPng({ text, mode, scale: 6 });
  if (request.out === undefined) return data as string;
  await ctx.writeOutput(request.out, data);
  return undefined;
}
