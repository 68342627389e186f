// Percent-encoding for otpauth:// URIs (RFC 3986), strict UTF-8 both ways.
import { CloudMfaError, utf8Decode, utf8Encode } from '@cloudmfa/core';
import { fail, warning } from './_common.js';
import type { OtpWarning } from './types.js';

const HEX = '0123456789ABCDEF';

/** RFC 3986 unreserved characters plus '@' (kept readable in e-mail accounts). */
function keptRaw(b: number): boolean {
  return (
    (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e || b === 0x40
  );
}

/** Percent-encodes everything but unreserved characters and '@', as UTF-8. */
export function encodeComponent(text: string): string {
  const bytes = utf8Encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out += keptRaw(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** RFC 3986 pchar without '%' and '+' (handled apart), plus '/' and '?' in queries. */
function isPchar(c: number, query: boolean): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
  // - . _ ~ ! $ & ' ( ) * , ; = : @
  if ('-._~!$&\'()*,;=:@'.indexOf(String.fromCharCode(c)) >= 0) return true;
  return query && (c === 0x2f || c === 0x3f);
}

export interface DecodeContext {
  lenient: boolean;
  warnings: OtpWarning[];
}

function warnOnce(ctx: DecodeContext, w: OtpWarning): void {
  if (!ctx.warnings.some((x) => x.code === w.code)) ctx.warnings.push(w);
}

/**
 * Decodes one URI component. Always refused: control characters, bad escapes, invalid UTF-8.
 * Strict: a raw '+' (ambiguous) or a raw character outside pchar is refused; lenient reads
 * '+' as a space and keeps other raw characters, with warnings.
 */
export function decodeComponent(raw: string, ctx: DecodeContext, where: string, query: boolean): string {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const h = parseHex(raw.charCodeAt(i + 1));
      const l = parseHex(raw.charCodeAt(i + 2));
      if (h < 0 || l < 0) fail('ERR_OTPAUTH_ENCODING', `bad percent-escape in the ${where} at position ${i + 1}`);
      bytes.push(h * 16 + l);
      i += 2;
    } else if (c < 0x20 || c === 0x7f) {
      fail('ERR_OTPAUTH_ENCODING', `control character in the ${where}`);
    } else if (c === 0x2b) {
      if (!ctx.lenient) fail('ERR_OTPAUTH_ENCODING', `raw "+" in the ${where} is ambiguous: write a space as %20 and a plus as %2B`);
      warnOnce(ctx, warning('PLUS_AS_SPACE', 'a raw "+" was read as a space'));
      bytes.push(0x20);
    } else if (c < 0x80 && isPchar(c, query)) {
      bytes.push(c);
    } else {
      if (!ctx.lenient) fail('ERR_OTPAUTH_ENCODING', `unencoded character in the ${where} at position ${i + 1}`);
      warnOnce(ctx, warning('UNENCODED_CHARACTER', 'unencoded characters were accepted as themselves'));
      let ch = raw[i] as string;
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = raw.charCodeAt(i + 1);
        // utf8Encode would turn a lone surrogate into U+FFFD: refuse it instead of inventing text.
        if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) fail('ERR_OTPAUTH_ENCODING', `lone surrogate in the ${where}`);
        ch += raw[++i] as string;
      }
      const enc = utf8Encode(ch);
      for (let k = 0; k < enc.length; k++) bytes.push(enc[k] as number);
    }
  }
  try {
    return utf8Decode(Uint8Array.from(bytes));
  } catch (err) {
    // Core's message names only a byte position; the text may contain a secret, it does not.
    return fail('ERR_OTPAUTH_ENCODING', `invalid UTF-8 in the ${where}`, err instanceof CloudMfaError ? err : undefined);
  }
}

function parseHex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** True when text has a C0 control character, DEL or a C1 control character. */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
