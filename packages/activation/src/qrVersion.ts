import { createQrSymbol, optionsObject, type QrErrorCorrection, type QrMode } from './internal/qr.js';

/**
 * Options of {@link qrVersion}.
 *
 * @example
 * ```ts
 * const options: QrVersionOptions = { text: 'otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', mode: 'auto' };
 * ```
 */
export interface QrVersionOptions {
  /** The text the QR code would carry. */
  text: string;
  /** Segmentation, as the renderers take it; default `'alphanumeric'`. */
  mode?: QrMode;
  /** Error-correction level; default `'M'`. */
  errorCorrection?: QrErrorCorrection;
}

/**
 * The QR version (1..40) the renderers draw `text` at: alphanumeric mode (envelopes) unless
 * `mode: 'auto'`, level M unless another `errorCorrection` is given. Issuers use it to warn
 * when an envelope outgrows version 10, the size the protocol promises for online envelopes
 * (docs/protocol/activation.md section 4).
 *
 * @example
 * ```ts
 * import { qrVersion } from '@cloudmfa/activation/qr';
 * if (qrVersion({ text: sealed.text }) > 10) console.warn('issuer and origin are long: the QR will be dense');
 * qrVersion({ text: sealed.text, errorCorrection: 'Q' });
 * qrVersion({ text: 'otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', mode: 'auto' }); // 4
 * ```
 */
export function qrVersion(options: QrVersionOptions): number {
  return createQrSymbol(optionsObject(options).text, options).version;
}
