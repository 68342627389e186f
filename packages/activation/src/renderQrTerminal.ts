import terminalRenderer from 'qrcode/lib/renderer/terminal.js';
import { createQrSymbol, optionsObject, type QrErrorCorrection, type QrMode } from './internal/qr.js';

/**
 * Options of {@link renderQrTerminal}.
 *
 * @example
 * ```ts
 * const options: RenderQrTerminalOptions = { text: 'otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', mode: 'auto' };
 * ```
 */
export interface RenderQrTerminalOptions {
  /** The text to draw: an envelope text, or any text with `mode: 'auto'`. */
  text: string;
  /** Segmentation; default `'alphanumeric'`. */
  mode?: QrMode;
  /** Error-correction level; default `'M'`. */
  errorCorrection?: QrErrorCorrection;
  /** Two module rows per line with half-block characters; default `false`. */
  small?: boolean;
}

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
 * process.stdout.write(renderQrTerminal({ text: sealed.text, small: true }));
 * process.stdout.write(renderQrTerminal({ text: uri, mode: 'auto', small: true }));
 * ```
 */
export function renderQrTerminal(options: RenderQrTerminalOptions): string {
  const { mode = 'alphanumeric', errorCorrection = 'M', small = false } = optionsObject(options);
  const symbol = createQrSymbol(options.text, { mode, errorCorrection });
  return terminalRenderer.render(symbol, { small: small === true });
}
