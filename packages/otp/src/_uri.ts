// Percent-encoding for otpauth:// URIs (RFC 3986), strict UTF-8 both ways, on the engine's own
// encodeURIComponent/decodeURIComponent (present in every engine, Hermes included).
import { fail, warn } from './_common.js';
import type { OtpWarning } from './types.js';

/**
 * Percent-encodes everything but RFC 3986 unreserved characters and '@' (kept readable in
 * e-mail accounts), as UTF-8. Callers pass text checked by checkText (no lone surrogates).
 */
export const encodeComponent = (text: string): string =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%40/g, '@');

/**
 * RFC 3986 pchar (less '+', handled apart), plus '/' and '?' (query characters). '%' passes here:
 * decodeURIComponent refuses an escape that is not '%' and two hex digits.
 */
const PCHAR = /[A-Za-z0-9\-._~!$&'()*,;=:@/?%]/;

/**
 * Decodes one URI component. Always refused: control characters, bad escapes, invalid UTF-8
 * (decodeURIComponent is strict: overlong forms, surrogates and truncated sequences throw),
 * lone surrogates. Strict: a raw '+' (ambiguous) or a raw character outside pchar is refused;
 * lenient reads '+' as a space and keeps other raw characters, with warnings. Messages give
 * positions, never content.
 */
export function decodeComponent(raw: string, ctx: { lenient: boolean; warnings: OtpWarning[] }): string {
  let escaped = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    let ch = raw[i] as string;
    if (c < 0x20 || c === 0x7f) {
      fail('ERR_OTPAUTH_ENCODING', 'control character');
    } else if (c === 0x2b) {
      if (!ctx.lenient) fail('ERR_OTPAUTH_ENCODING', 'raw "+" is ambiguous: write a space as %20, a plus as %2B');
      warn(ctx.warnings, 'PLUS_AS_SPACE', '"+" read as a space');
      ch = '%20';
    } else if (!PCHAR.test(ch)) {
      if (!ctx.lenient) fail('ERR_OTPAUTH_ENCODING', `unencoded character at position ${i + 1}`);
      warn(ctx.warnings, 'UNENCODED_CHARACTER', 'unencoded characters kept');
      if (c >= 0xd800 && c <= 0xdbff) ch += raw[++i] ?? '';
      try {
        ch = encodeURIComponent(ch); // UTF-8 escapes; throws on a lone surrogate
      } catch {
        fail('ERR_OTPAUTH_ENCODING', 'lone surrogate');
      }
    }
    escaped += ch;
  }
  try {
    return decodeURIComponent(escaped);
  } catch {
    return fail('ERR_OTPAUTH_ENCODING', 'bad "%" escape or invalid UTF-8');
  }
}

/**
 * Unpadded uppercase RFC 4648 base32, the form otpauth:// secrets take. Written here rather than
 * taken from core because core's encodeBase32 also checks its argument with core's type-naming
 * assertion, which adds about 80 bytes (gzip) to a bundle whose input is already checked; the
 * result is tested against core's encoder.
 */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = (acc << 8) | (bytes[i] as number);
    for (bits += 8; bits >= 5; bits -= 5) out += B32[(acc >>> (bits - 5)) & 31];
  }
  return bits ? out + B32[(acc << (5 - bits)) & 31] : out;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
