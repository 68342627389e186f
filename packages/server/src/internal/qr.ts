import qrcodeCore from 'qrcode/lib/core/qrcode';
import svgRenderer from 'qrcode/lib/renderer/svg-tag';
import { serverError } from './errors.js';
import { encodeQrPng } from './png.js';

/**
 * SVG and PNG of arbitrary text (an otpauth URI) in the modes `qrcode` chooses (byte mode for
 * the lowercase URI), level M, a 4-module quiet zone. Envelopes use the activation package's
 * alphanumeric renderers instead.
 */
export function renderTextQr(text: string): { svg: string; png: Uint8Array } {
  let symbol;
  try {
    symbol = qrcodeCore.create(text, { errorCorrectionLevel: 'M' });
  } catch {
    throw serverError('ERR_INVALID_ARGUMENT', 'the otpauth URI does not fit a QR code at level M');
  }
  const { size, data } = symbol.modules;
  return {
    svg: svgRenderer.render(symbol, { margin: 4 }),
    png: encodeQrPng(size, (x, y) => data[y * size + x] !== 0, 6, 4),
  };
}
