import { encodeQrPng } from './internal/png.js';
import { checkIntOption, createQrSymbol, optionsObject, type QrErrorCorrection, type QrMode } from './internal/qr.js';

/**
 * Options of {@link renderQrPng}.
 *
 * @example
 * ```ts
 * const options: RenderQrPngOptions = { text: 'otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', mode: 'auto' };
 * ```
 */
export interface RenderQrPngOptions {
  /** The text to draw: an envelope text, or any text with `mode: 'auto'`. */
  text: string;
  /** Segmentation; default `'alphanumeric'`. */
  mode?: QrMode;
  /** Error-correction level; default `'M'`. */
  errorCorrection?: QrErrorCorrection;
  /** Pixels per module, 1..32; default 4. */
  scale?: number;
  /** Quiet zone in modules, 0..16; default 4. */
  margin?: number;
}

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
 * const png = renderQrPng({ text: sealed.text, scale: 8 });
 * await mailer.attach('activation.png', png);
 * const otpauthPng = renderQrPng({ text: uri, mode: 'auto', scale: 6 });
 * ```
 */
export function renderQrPng(options: RenderQrPngOptions): Uint8Array {
  const { mode = 'alphanumeric', errorCorrection = 'M', scale = 4, margin = 4 } = optionsObject(options);
  const symbol = createQrSymbol(options.text, { mode, errorCorrection });
  checkIntOption(scale, 'scale', 1, 32);
  checkIntOption(margin, 'margin', 0, 16);
  const { size, data } = symbol.modules;
  return encodeQrPng(size, (x, y) => data[y * size + x] !== 0, scale, margin);
}
