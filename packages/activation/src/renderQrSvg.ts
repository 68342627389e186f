import svgRenderer from 'qrcode/lib/renderer/svg-tag.js';
import { checkIntOption, createQrSymbol, optionsObject, type QrErrorCorrection, type QrMode } from './internal/qr.js';

/**
 * Options of {@link renderQrSvg}.
 *
 * @example
 * ```ts
 * const options: RenderQrSvgOptions = { text: 'otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', mode: 'auto' };
 * ```
 */
export interface RenderQrSvgOptions {
  /** The text to draw: an envelope text, or any text with `mode: 'auto'`. */
  text: string;
  /** Segmentation; default `'alphanumeric'`. */
  mode?: QrMode;
  /** Error-correction level; default `'M'`. */
  errorCorrection?: QrErrorCorrection;
  /** Quiet zone in modules, 0..16; default 4. */
  margin?: number;
  /** The width and height attributes, 21..4096. */
  width?: number;
}

/**
 * Renders text as an SVG string with `qrcode`'s SVG renderer. Envelope text by default:
 * `mode: 'alphanumeric'` forces alphanumeric mode and refuses anything else
 * (`ERR_INVALID_ARGUMENT`); `mode: 'auto'` takes any text, such as an `otpauth://` URI, in the
 * segments that make the smallest code. Level M by default; `margin` is the quiet zone in
 * modules (0..16, default 4, as the QR standard asks); `width` (21..4096) sets the width and
 * height attributes.
 *
 * @example
 * ```ts
 * import { renderQrSvg } from '@cloudmfa/activation/qr';
 * html += renderQrSvg({ text: sealed.text, width: 320 });
 * html += renderQrSvg({ text: 'otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', mode: 'auto' });
 * ```
 */
export function renderQrSvg(options: RenderQrSvgOptions): string {
  const { mode = 'alphanumeric', errorCorrection = 'M', margin = 4, width } = optionsObject(options);
  const symbol = createQrSymbol(options.text, { mode, errorCorrection });
  checkIntOption(margin, 'margin', 0, 16);
  if (width !== undefined) checkIntOption(width, 'width', 21, 4096);
  return svgRenderer.render(symbol, width === undefined ? { margin } : { margin, width });
}
