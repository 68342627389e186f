/// <reference path="./qrcode-lib.d.ts" />
import { BASE45_ALPHABET, CloudMfaError } from '@cloudmfa/core';
import qrcodeCore, { type QrSymbol } from 'qrcode/lib/core/qrcode.js';

/** QR error-correction level. The protocol's size guarantee is stated for `M`. */
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

const ALPHANUMERIC = new Set(BASE45_ALPHABET.split(''));
/** Version 40-L alphanumeric capacity. */
const MAX_QR_ALPHANUMERIC = 4296;

/** Encodes `text` as one alphanumeric-mode segment (forced: never byte mode). */
export function createAlphanumericQr(text: unknown, errorCorrection: QrErrorCorrection = 'M'): QrSymbol {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_QR_ALPHANUMERIC) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"text" expected 1..${MAX_QR_ALPHANUMERIC} characters`);
  }
  for (let i = 0; i < text.length; i++) {
    if (!ALPHANUMERIC.has(text[i] as string)) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"text" has a character outside the QR alphanumeric set at position ${i + 1}`);
    }
  }
  if (errorCorrection !== 'L' && errorCorrection !== 'M' && errorCorrection !== 'Q' && errorCorrection !== 'H') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"errorCorrection" expected L, M, Q or H');
  }
  try {
    return qrcodeCore.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: errorCorrection });
  } catch {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"text" does not fit a QR code at level ${errorCorrection}`);
  }
}

export function checkIntOption(value: number, title: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected an integer in [${min}, ${max}]`);
  }
  return value;
}
