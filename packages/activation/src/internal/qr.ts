/// <reference path="./qrcode-lib.d.ts" />
import { BASE45_ALPHABET, CloudMfaError, utf8Encode } from '@cloudmfa/core';
import qrcodeCore, { type QrSegmentInput, type QrSymbol } from 'qrcode/lib/core/qrcode.js';

/** QR error-correction level. The protocol's size guarantee is stated for `M`. */
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

/**
 * How the renderers segment the text. `'alphanumeric'` (the default) forces alphanumeric mode
 * and refuses any other character: that is what an envelope (`CMFA:` + base45) needs.
 * `'auto'` takes any text (an `otpauth://` URI, say) and splits it into numeric, alphanumeric and
 * byte (UTF-8) segments with the least total bit length.
 *
 * @example
 * ```ts
 * const mode: QrMode = 'auto';
 * const png = renderQrPng({ text: 'otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme', mode });
 * ```
 */
export type QrMode = 'alphanumeric' | 'auto';

/** The options every renderer shares (and `qrVersion` accepts). */
export interface QrSymbolOptions {
  errorCorrection?: QrErrorCorrection;
  mode?: QrMode;
}

const ALPHANUMERIC = new Set(BASE45_ALPHABET.split(''));
/** Version 40-L alphanumeric capacity. */
const MAX_QR_ALPHANUMERIC = 4296;
/** Version 40-L numeric capacity: no text longer than this fits any QR code. */
const MAX_QR_CHARACTERS = 7089;

const BYTE = 0;
const ALNUM = 1;
const NUMERIC = 2;
/** Character-count indicator bits per mode for versions 1-9, 10-26 and 27-40 (ISO/IEC 18004 table 3). */
const COUNT_BITS = [
  [8, 9, 10],
  [16, 11, 12],
  [16, 13, 14],
] as const;
/** The last version of each of those three groups. */
const GROUP_LAST_VERSION = [9, 26, 40] as const;

function checkLevel(errorCorrection: unknown): QrErrorCorrection {
  if (errorCorrection !== 'L' && errorCorrection !== 'M' && errorCorrection !== 'Q' && errorCorrection !== 'H') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"errorCorrection" expected L, M, Q or H');
  }
  return errorCorrection;
}

function tooLarge(errorCorrection: QrErrorCorrection): CloudMfaError {
  return new CloudMfaError('ERR_INVALID_ARGUMENT', `"text" does not fit a QR code at level ${errorCorrection}`);
}

/** Encodes `text` in alphanumeric mode only (forced: never byte mode). */
export function createAlphanumericQr(text: unknown, errorCorrection: QrErrorCorrection = 'M'): QrSymbol {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_QR_ALPHANUMERIC) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"text" expected 1..${MAX_QR_ALPHANUMERIC} characters`);
  }
  for (let i = 0; i < text.length; i++) {
    if (!ALPHANUMERIC.has(text[i] as string)) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"text" has a character outside the QR alphanumeric set at position ${i + 1}`);
    }
  }
  checkLevel(errorCorrection);
  try {
    return qrcodeCore.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: errorCorrection });
  } catch {
    throw tooLarge(errorCorrection);
  }
}

/**
 * The segments of least total bit length for `codePoints` at one version group: a shortest
 * path over (position, mode) as in Nayuki's QR Code generator (`QrSegmentAdvanced`), which is
 * what `qrcode`'s own string path computes too. Costs are in sixths of a bit so that numeric
 * (10 bits per 3 digits) and alphanumeric (11 bits per 2 characters) runs stay integers; a
 * segment's cost is rounded up to whole bits where it ends, which is exact for both modes.
 */
function planSegments(text: string, codePoints: number[], group: 0 | 1 | 2): QrSegmentInput[] {
  const countBits = COUNT_BITS[group];
  const head = [(4 + countBits[BYTE]) * 6, (4 + countBits[ALNUM]) * 6, (4 + countBits[NUMERIC]) * 6];
  const n = codePoints.length;
  // from[i * 3 + m]: the mode of character i on the cheapest path that is in mode m after it.
  const from = new Int8Array(n * 3).fill(-1);
  let prev = head.slice();
  for (let i = 0; i < n; i++) {
    const c = codePoints[i] as number;
    const cur = [Infinity, Infinity, Infinity];
    cur[BYTE] = (prev[BYTE] as number) + (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4) * 8 * 6;
    from[i * 3 + BYTE] = BYTE;
    if (c < 0x80 && ALPHANUMERIC.has(String.fromCharCode(c))) {
      cur[ALNUM] = (prev[ALNUM] as number) + 33;
      from[i * 3 + ALNUM] = ALNUM;
    }
    if (c >= 0x30 && c <= 0x39) {
      cur[NUMERIC] = (prev[NUMERIC] as number) + 20;
      from[i * 3 + NUMERIC] = NUMERIC;
    }
    // Switching after character i: close the segment (whole bits) and open one in mode `to`.
    const reached = cur.slice();
    for (let to = 0; to < 3; to++) {
      for (let fromMode = 0; fromMode < 3; fromMode++) {
        if (fromMode === to || reached[fromMode] === Infinity) continue;
        const switched = Math.ceil((reached[fromMode] as number) / 6) * 6 + (head[to] as number);
        if (switched < (cur[to] as number)) {
          cur[to] = switched;
          from[i * 3 + to] = fromMode;
        }
      }
    }
    prev = cur;
  }
  let mode = BYTE;
  for (let m = 1; m < 3; m++) if (Math.ceil((prev[m] as number) / 6) < Math.ceil((prev[mode] as number) / 6)) mode = m;
  // Walk back: the mode each character is encoded in.
  const modes = new Int8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    mode = from[i * 3 + mode] as number;
    modes[i] = mode;
  }
  // Runs of one mode become segments; byte segments are handed over as UTF-8 bytes (qrcode's
  // own conversion of a string uses TextEncoder, which Hermes lacks).
  const segments: QrSegmentInput[] = [];
  let start = 0; // UTF-16 index of the current run
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const width = (codePoints[i] as number) > 0xffff ? 2 : 1;
    if (i === n - 1 || modes[i + 1] !== modes[i]) {
      const run = text.slice(start, offset + width);
      const m = modes[i] as number;
      // No run outgrows its count field: the largest versions of each group hold fewer
      // characters than the field counts (9-L: 552 digits, 335 alphanumeric, 230 bytes against
      // 1023, 511, 255; 26-L: 3283 digits, 1990 alphanumeric against 4095, 2047).
      segments.push(m === BYTE ? { data: utf8Encode(run), mode: 'byte' } : { data: run, mode: m === ALNUM ? 'alphanumeric' : 'numeric' });
      start = offset + width;
    }
    offset += width;
  }
  return segments;
}

/** Any well-formed text, segmented for the least bits (the `'auto'` mode). */
export function createAutoQr(text: unknown, errorCorrection: QrErrorCorrection = 'M'): QrSymbol {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_QR_CHARACTERS) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"text" expected 1..${MAX_QR_CHARACTERS} characters`);
  }
  checkLevel(errorCorrection);
  const codePoints: number[] = [];
  for (let i = 0; i < text.length; i++) {
    // A pair gives the code point above U+FFFF; an unpaired surrogate gives itself.
    const c = text.codePointAt(i) as number;
    if (c >= 0xd800 && c <= 0xdfff) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"text" has a lone surrogate at position ${i + 1}`);
    }
    codePoints.push(c);
    if (c > 0xffff) i++;
  }
  // The character-count fields grow at versions 10 and 27, so the best plan depends on the
  // version: plan for each group in turn and keep the first that lands inside its group.
  for (const group of [0, 1, 2] as const) {
    let symbol: QrSymbol;
    try {
      symbol = qrcodeCore.create(planSegments(text, codePoints, group), { errorCorrectionLevel: errorCorrection });
    } catch {
      continue;
    }
    if (symbol.version <= GROUP_LAST_VERSION[group]) return symbol;
  }
  throw tooLarge(errorCorrection);
}

/** The symbol for `text` in the requested mode (default alphanumeric) and level (default M). */
export function createQrSymbol(text: unknown, options: QrSymbolOptions): QrSymbol {
  const { errorCorrection = 'M', mode = 'alphanumeric' } = options;
  if (mode === 'alphanumeric') return createAlphanumericQr(text, errorCorrection);
  if (mode === 'auto') return createAutoQr(text, errorCorrection);
  throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"mode" expected alphanumeric or auto');
}

export function checkIntOption(value: number, title: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected an integer in [${min}, ${max}]`);
  }
  return value;
}

/** The options object of a renderer (it carries the text): anything but an object is misuse. */
export function optionsObject<T extends object>(options: T): T {
  if (typeof options !== 'object' || options === null) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object with the text');
  return options;
}
