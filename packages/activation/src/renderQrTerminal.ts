import terminalRenderer from 'qrcode/lib/renderer/terminal.js';
import { createQrSymbol, optionsObject, type QrErrorCorrection, type QrMode } from './internal/qr.js';

/**
 * Renders text for a terminal (ANSI colours) with `qrcode`'s terminal renderer. Envelope text
 * by default: `mode: 'alphanumeric'` forces alphanumeric mode and refuses anything else
 * (`ERR_INVALID_ARGUMENT`); `mode: 'auto'` takes any text, such as an `otpauth://` URI, in the
 * segments that make the smallest code. Level M by default. `small` draws two module rows per
 * line with half-block characters.
 *
 * @example
 * ```ts
 * import { renderQrTerminal } from '@cloudmfa/activation/qr';
 * process.stdout.write(renderQrTerminal(sealed.text, { small: true }));
 * process.stdout.write(renderQrTerminal(uri, { mode: 'auto', small: true }));
 * ```
 */
export function renderQrTerminal(text: string, options?: { mode?: QrMode; errorCorrection?: QrErrorCorrection; small?: boolean }): string {
  const { mode = 'alphanumeric', errorCorrection = 'M', small = false } = optionsObject(options);
  const symbol = createQrSymbol(text, { mode, errorCorrection });
  return terminalRenderer.render(symbol, { small: small === true });
}
