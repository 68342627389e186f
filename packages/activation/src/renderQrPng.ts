import { encodeQrPng } from './internal/png.js';
import { checkIntOption, createQrSymbol, optionsObject, type QrErrorCorrection, type QrMode } from './internal/qr.js';

/**
 * Renders text as PNG bytes: the matrix from `qrcode`'s encoder, written by a small built-in
 * 1-bit PNG writer so this works without Node's Buffer or zlib (phones, browsers). Envelope
 * text by default: `mode: 'alphanumeric'` forces alphanumeric mode and refuses anything else
 * (`ERR_INVALID_ARGUMENT`); `mode: 'auto'` takes any text, such as an `otpauth://` URI, in
 * the segments that make the smallest code. Level M by default; `scale` is pixels per module
 * (1..32, default 4), `margin` the quiet zone in modules (0..16, default 4).
 *
 * The image of an otpauth URI shows its secret: treat the bytes as a credential.
 *
 * @example
 * ```ts
 * import { renderQrPng } from '@cloudmfa/activation/qr';
 * const png = renderQrPng(sealed.text, { scale: 8 });
 * await mailer.attach('activation.png', png);
 * const otpauthPng = renderQrPng(uri, { mode: 'auto', scale: 6 });
 * ```
 */
export function renderQrPng(text: string, options?: { mode?: QrMode; errorCorrection?: QrErrorCorrection; scale?: number; margin?: number }): Uint8Array {
  const { mode = 'alphanumeric', errorCorrection = 'M', scale = 4, margin = 4 } = optionsObject(options);
  const symbol = createQrSymbol(text, { mode, errorCorrection });
  checkIntOption(scale, 'scale', 1, 32);
  checkIntOption(margin, 'margin', 0, 16);
  const { size, data } = symbol.modules;
  return encodeQrPng(size, (x, y) => data[y * size + x] !== 0, scale, margin);
}
