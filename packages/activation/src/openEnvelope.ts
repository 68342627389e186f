import { type Clock, CloudMfaError, type CryptoProvider, pureJsCryptoProvider, systemClock } from '@cloudmfa/core';
import { envelopeOpen } from './internal/aead.js';
import { DECRYPT_MESSAGE, DEFAULT_CLOCK_SKEW_SECONDS, MAX_OPEN_PASSWORD_LENGTH } from './internal/constants.js';
import { checkKdfLimits, parseEnvelopeText, resolveLimits } from './internal/envelopeCodec.js';
import { deriveEnvelopeKey } from './internal/kdf.js';
import { decodePayload } from './internal/payloadCodec.js';
import { readClock } from './internal/validate.js';
import { normalizePassword } from './normalizePassword.js';
import type { ActivationPayload, ActivationPreview, EnvelopeHeader, EnvelopeLimits, OfflineActivationPayload, OnlineActivationPayload } from './types.js';

/** Options of {@link openEnvelope}. */
export interface OpenEnvelopeOptions {
  /** The scanned envelope text (`CM1:` plus base45). */
  text: string;
  /** What the user typed; normalised here (case, spaces, dashes). */
  password: string;
  now?: Clock;
  /** Allowance for a phone clock that runs behind, in seconds. Default 60. */
  clockSkewSeconds?: number;
  /** Where the KDF runs; plug a native scrypt/PBKDF2 with `createCryptoProvider`. */
  crypto?: CryptoProvider;
  /** Caps on attacker-controlled costs; defaults in `DEFAULT_ENVELOPE_LIMITS`. */
  limits?: Partial<EnvelopeLimits>;
}

/**
 * An opened envelope. Show `preview` to the user and ask before storing or sending anything.
 * An online preview has no account (the QR does not carry it): the app shows the account that
 * `openRedemptionResponse` returns, and stores the identity only after the user confirms it.
 * `payload` holds the activation secret (online) or the seed (offline): keep it in memory,
 * never log it.
 *
 * `mode` is the discriminant: after `if (opened.mode === 'online')` the payload is an
 * `OnlineActivationPayload` and flows into `createRedemption` without a cast.
 *
 * @example
 * ```ts
 * const opened: OpenedEnvelope = await openEnvelope({ text, password });
 * if (opened.mode === 'online') await createRedemption({ payload: opened.payload, deviceSigner, pushToken: null, platform: 'ios' });
 * ```
 */
export type OpenedEnvelope =
  | { mode: 'online'; header: EnvelopeHeader & { mode: 'online' }; preview: ActivationPreview & { mode: 'online' }; payload: OnlineActivationPayload }
  | { mode: 'offline'; header: EnvelopeHeader & { mode: 'offline' }; preview: ActivationPreview & { mode: 'offline' }; payload: OfflineActivationPayload };

function previewOf(payload: ActivationPayload, header: EnvelopeHeader): ActivationPreview {
  const { issuedAt, expiresAt } = header;
  const { issuer, policy } = payload;
  if (payload.mode === 'online') {
    // No account: the online envelope does not carry it; openRedemptionResponse returns it.
    return { mode: 'online', issuer, origin: payload.origin, policy: { ...policy }, otp: { ...payload.otp }, issuedAt, expiresAt };
  }
  return { mode: 'offline', issuer, account: payload.account, policy: { ...policy }, otp: { ...payload.otp }, issuedAt, expiresAt };
}

/**
 * Opens an activation envelope with the password the user typed, after checking, in this
 * order and before any slow work: size, alphabet, base45, version, structure, KDF cost caps,
 * expiry (injected clock, with a skew allowance). Then derives the key and decrypts.
 *
 * Throws `CloudMfaError` with a stable code: `ERR_ENVELOPE_TOO_LARGE`, `ERR_ENVELOPE_MALFORMED`,
 * `ERR_ENVELOPE_VERSION`, `ERR_ENVELOPE_KDF_COST`, `ERR_ENVELOPE_EXPIRED`,
 * `ERR_ENVELOPE_KDF_FAILED`, or `ERR_ENVELOPE_DECRYPT` (wrong password and tampering fail
 * identically, with one fixed message). No message contains the password or payload.
 *
 * @example
 * ```ts
 * const opened = await openEnvelope({ text: scannedText, password: typed });
 * if (await askUser(opened.preview) && opened.mode === 'online') {
 *   const { request, state } = await createRedemption({ payload: opened.payload, deviceSigner, pushToken, platform: 'ios' });
 * }
 * ```
 */
export async function openEnvelope(options: OpenEnvelopeOptions): Promise<OpenedEnvelope> {
  if (typeof options !== 'object' || options === null) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object with the text and the password');
  }
  const { text, now = systemClock, clockSkewSeconds = DEFAULT_CLOCK_SKEW_SECONDS, crypto = pureJsCryptoProvider } = options;
  if (typeof options.password !== 'string') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"password" expected a string');
  }
  if (typeof clockSkewSeconds !== 'number' || !(clockSkewSeconds >= 0) || clockSkewSeconds > 3600) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"clockSkewSeconds" expected a number in [0, 3600]');
  }
  const limits = resolveLimits(options.limits);
  const envelope = parseEnvelopeText(text, limits.maxTextLength);
  checkKdfLimits(envelope.header.kdf, limits);
  if (readClock(now) > envelope.header.expiresAt + clockSkewSeconds * 1000) {
    throw new CloudMfaError('ERR_ENVELOPE_EXPIRED', 'activation envelope has expired');
  }
  const password = normalizePassword(options.password);
  // No sealed password is this long: fail exactly like a wrong one, without running the KDF.
  if (password.length > MAX_OPEN_PASSWORD_LENGTH) throw new CloudMfaError('ERR_ENVELOPE_DECRYPT', DECRYPT_MESSAGE);
  const key = await deriveEnvelopeKey(crypto, envelope.header.kdf, password, envelope.salt);
  const plaintext = envelopeOpen(key, envelope.headerBytes, envelope.sealed);
  key.fill(0);
  if (!plaintext) throw new CloudMfaError('ERR_ENVELOPE_DECRYPT', DECRYPT_MESSAGE);
  let payload: ActivationPayload;
  try {
    payload = decodePayload(envelope.header.mode, plaintext);
  } finally {
    plaintext.fill(0);
  }
  const header = envelope.header;
  return { mode: header.mode, header, preview: previewOf(payload, header), payload } as OpenedEnvelope;
}
