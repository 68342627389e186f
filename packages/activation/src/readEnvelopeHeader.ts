import { CloudMfaError } from '@cloudmfa/core';
import { DEFAULT_LIMITS } from './internal/constants.js';
import { parseEnvelopeText } from './internal/envelopeCodec.js';
import type { EnvelopeHeader } from './types.js';

/**
 * Options of {@link readEnvelopeHeader}.
 *
 * @example
 * ```ts
 * const options: ReadEnvelopeHeaderOptions = { text: scannedText, maxTextLength: 2048 };
 * ```
 */
export interface ReadEnvelopeHeaderOptions {
  /** The scanned envelope text. */
  text: string;
  /** Longest text read; default `DEFAULT_ENVELOPE_LIMITS.maxTextLength`. */
  maxTextLength?: number;
}

/**
 * Reads an envelope's clear header (mode, KDF, issue and expiry times) without the password,
 * so an app can say "this code has expired" or route online/offline before asking for it.
 * Nothing here is authenticated until {@link openEnvelope} succeeds: use it for display and
 * routing only. Throws `ERR_ENVELOPE_TOO_LARGE`, `ERR_ENVELOPE_MALFORMED` or
 * `ERR_ENVELOPE_VERSION`.
 *
 * @example
 * ```ts
 * const { mode, expiresAt } = readEnvelopeHeader({ text: scannedText });
 * if (expiresAt < Date.now()) showExpired();
 * ```
 */
export function readEnvelopeHeader(options: ReadEnvelopeHeaderOptions): EnvelopeHeader {
  if (typeof options !== 'object' || options === null) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object with the text');
  const { text, maxTextLength = DEFAULT_LIMITS.maxTextLength } = options;
  return parseEnvelopeText(text, maxTextLength).header;
}
