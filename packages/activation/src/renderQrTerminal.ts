import terminalRenderer from 'qrcode/lib/renderer/terminal.js';
import { createAlphanumericQr, type QrErrorCorrection } from './internal/qr.js';

/**
 * Renders envelope text for a terminal (ANSI colours) with `qrcode`'s terminal renderer,
 * alphanumeric mode forced, level M by default. `small` uses half-height block characters.
 *
 * @example
 * ```ts
 * process.stdout.write(renderQrTerminal(sealed.text, { small: true }));
 * ```
 */
export function renderQrTerminal(text: string, options: { errorCorrection?: QrErrorCorrection; small?: boolean } = {}): string {
  const { errorCorrection = 'M', small = false } = options;
  const symbol = createAlphanumericQr(text, errorCorrection);
  return terminalRenderer.render(symbol, { small: small === true });
}
