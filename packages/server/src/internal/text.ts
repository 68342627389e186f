import { utf8Encode } from '@cloudmfa/core';

/**
 * Display text the app shows for review (issuer, account): no C0/C1 controls, no
 * bidirectional embeddings/overrides/isolates, no lone surrogates: the rule of
 * docs/protocol/activation.md 3.1, checked here so a bad label fails at issue time, not at
 * redemption.
 */
export function isDisplayText(s: unknown, maxBytes: number): s is string {
  if (typeof s !== 'string' || s.length === 0 || s.length > maxBytes) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return utf8Encode(s).length <= maxBytes;
}
