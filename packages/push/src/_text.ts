// Display-text rules shared by the context, the push alert and their validation on receipt:
// the user decides on this text, so nothing in it may reorder or hide what it says.

/** True when `text` contains a character that display text must not carry. */
export function hasForbiddenCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true; // C0, DEL, C1 controls
    if (c === 0x2028 || c === 0x2029 || c === 0xfeff) return true; // separators, BOM
    if (c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return true; // bidi (Unicode Bidi_Control)
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return true; // lone high surrogate
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true; // lone low surrogate
  }
  return false;
}

/** Display text: a non-empty string within `max` UTF-16 units and without forbidden characters. */
export function isDisplayText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max && !hasForbiddenCharacter(value);
}

const IP_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;

/** An IPv4 or IPv6 address as display text (characters only: the server is trusted for its meaning). */
export function isIpText(value: unknown): value is string {
  return typeof value === 'string' && IP_CHARS.test(value);
}

/** UTF-8 length of a string without encoding it (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
