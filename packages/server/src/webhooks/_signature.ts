// Standard Webhooks signatures: HMAC-SHA256 over `${id}.${timestamp}.${body}` with the secret's
// bytes, sent as `v1,<base64>`; secrets are `whsec_<base64>`.
import { concatBytes, type CryptoProvider, utf8Encode } from '@cloudmfa/core';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 (the spec's; not base64url). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Standard base64 to bytes, or `null` when it is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !B64.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The key bytes of `whsec_<base64>` (the prefix is optional), 24..64 bytes; `null` otherwise. */
export function parseWebhookSecret(secret: unknown): Uint8Array | null {
  if (typeof secret !== 'string' || secret.length > 200) return null;
  const key = decodeBase64(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  return key && key.length >= 24 && key.length <= 64 ? key : null;
}

/** The 32-byte v1 signature of one message. */
export function signWebhook(crypto: CryptoProvider, key: Uint8Array, id: string, timestampSeconds: number, body: Uint8Array): Uint8Array {
  return crypto.hmac('SHA256', key, concatBytes(utf8Encode(`${id}.${timestampSeconds}.`), body));
}
