import { DEFAULT_LIMITS } from './internal/constants.js';
import { parseEnvelopeText } from './internal/envelopeCodec.js';
import type { EnvelopeHeader } from './types.js';

/**
 * Reads an envelope's clear header (mode, KDF, issue and expiry times) without the password,
 * so an app can say "this code has expired" or route online/offline before asking for it.
 * Nothing here is authenticated until {@link openEnvelope} succeeds: use it for display and
 * routing only. Throws `ERR_ENVELOPE_TOO_LARGE`, `ERR_ENVELOPE_MALFORMED` or
 * `ERR_ENVELOPE_VERSION`.
 *
 * @example
 * ```ts
 * const { mode, expiresAt } = readEnvelopeHeader(scannedText);
 * if (expiresAt < Date.now()) showExpired();
 * ```
 */
export function readEnvelopeHeader(text: string, options: { maxTextLength?: number } = {}): EnvelopeHeader {
  return parseEnvelopeText(text, options.maxTextLength ?? DEFAULT_LIMITS.maxTextLength).header;
}
