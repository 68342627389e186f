import svgRenderer from 'qrcode/lib/renderer/svg-tag.js';
import { checkIntOption, createAlphanumericQr, type QrErrorCorrection } from './internal/qr.js';

/**
 * Renders envelope text (or any QR-alphanumeric text) as an SVG string with `qrcode`, the
 * segment forced into alphanumeric mode. Level M by default; `margin` is the quiet zone in
 * modules (default 4, as the QR standard asks). Non-alphanumeric text throws
 * `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const svg = renderQrSvg(sealed.text, { width: 320 });
 * html += svg;
 * ```
 */
export function renderQrSvg(text: string, options: { errorCorrection?: QrErrorCorrection; margin?: number; width?: number } = {}): string {
  const { errorCorrection = 'M', margin = 4, width } = options;
  const symbol = createAlphanumericQr(text, errorCorrection);
  checkIntOption(margin, 'margin', 0, 16);
  if (width !== undefined) checkIntOption(width, 'width', 21, 4096);
  return svgRenderer.render(symbol, width === undefined ? { margin } : { margin, width });
}
