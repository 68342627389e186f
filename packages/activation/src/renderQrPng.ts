import { encodeQrPng } from './internal/png.js';
import { checkIntOption, createAlphanumericQr, type QrErrorCorrection } from './internal/qr.js';

/**
 * Renders envelope text as PNG bytes: the matrix from `qrcode` (alphanumeric mode forced,
 * level M by default), encoded by a small built-in 1-bit PNG writer so this works without
 * Node's Buffer or zlib (phones, browsers). `scale` is pixels per module (default 4), `margin`
 * the quiet zone in modules (default 4).
 *
 * @example
 * ```ts
 * const png = renderQrPng(sealed.text, { scale: 8 });
 * await mailer.attach('activation.png', png);
 * ```
 */
export function renderQrPng(text: string, options: { errorCorrection?: QrErrorCorrection; scale?: number; margin?: number } = {}): Uint8Array {
  const { errorCorrection = 'M', scale = 4, margin = 4 } = options;
  const symbol = createAlphanumericQr(text, errorCorrection);
  checkIntOption(scale, 'scale', 1, 32);
  checkIntOption(margin, 'margin', 0, 16);
  const { size, data } = symbol.modules;
  return encodeQrPng(size, (x, y) => data[y * size + x] !== 0, scale, margin);
}
