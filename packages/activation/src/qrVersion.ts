import { createQrSymbol, type QrErrorCorrection, type QrMode } from './internal/qr.js';

/**
 * The QR version (1..40) the renderers draw `text` at: alphanumeric mode (envelopes) unless
 * `mode: 'auto'`, level M unless another is given (as the second argument, or as
 * `errorCorrection`). Issuers use it to warn when an envelope outgrows version 10, the size the
 * protocol promises for online envelopes (docs/protocol/activation.md section 4).
 *
 * @example
 * ```ts
 * import { qrVersion } from '@cloudmfa/activation/qr';
 * if (qrVersion(sealed.text) > 10) console.warn('issuer and origin are long: the QR will be dense');
 * qrVersion(sealed.text, 'Q');
 * qrVersion('otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', { mode: 'auto' }); // 4
 * ```
 */
export function qrVersion(text: string, options: QrErrorCorrection | { mode?: QrMode; errorCorrection?: QrErrorCorrection } = {}): number {
  // Anything but an object is read as the level, which is then checked.
  const symbolOptions = typeof options === 'object' && options !== null ? options : { errorCorrection: options };
  return createQrSymbol(text, symbolOptions).version;
}
