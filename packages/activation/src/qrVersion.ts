import { createAlphanumericQr, type QrErrorCorrection } from './internal/qr.js';

/**
 * The QR version (1..40) `text` needs in alphanumeric mode at the given level (default M).
 * Issuers use it to warn when a payload outgrows version 10, the size the protocol promises
 * for typical online envelopes (docs/protocol/activation.md section 4).
 *
 * @example
 * ```ts
 * if (qrVersion(sealed.text) > 10) console.warn('issuer and origin are long: the QR will be dense');
 * ```
 */
export function qrVersion(text: string, errorCorrection: QrErrorCorrection = 'M'): number {
  return createAlphanumericQr(text, errorCorrection).version;
}
