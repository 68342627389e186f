import { type Clock, CloudMfaError, type CryptoProvider, pureJsCryptoProvider, type RandomSource, systemClock, systemRandom } from '@cloudmfa/core';
import {
  DEFAULT_LIMITS,
  DEFAULT_PBKDF2_ITERATIONS,
  DEFAULT_SCRYPT,
  DEFAULT_TTL_SECONDS,
  MAX_SEAL_PASSWORD_LENGTH,
  MAX_TTL_SECONDS,
  MIN_SEAL_PASSWORD_LENGTH,
  PBKDF2_MIN_ITERATIONS,
  SCRYPT_MIN_NR,
} from './internal/constants.js';
import { checkKdfLimits } from './internal/envelopeCodec.js';
import { payloadSchema } from './internal/schemas.js';
import { sealWithParameters } from './internal/seal.js';
import { parseArgument, readClock } from './internal/validate.js';
import { normalizePassword } from './normalizePassword.js';
import type { ActivationPayload, EnvelopeHeader, KdfParameters, KdfSettings } from './types.js';

/** A sealed envelope: its QR text and its (clear) header. Times in milliseconds. */
export interface SealedEnvelope extends EnvelopeHeader {
  /** `CMFA:` + base45, entirely in the QR alphanumeric set. */
  text: string;
}

/** Options of {@link sealEnvelope}. */
export interface SealEnvelopeOptions {
  payload: ActivationPayload;
  /** A `generatePassword()` password, or the caller's own (printable ASCII, 8..128 after normalisation). */
  password: string;
  /** Lifetime in seconds, 1..65535 (18 h 12 min; the header holds it in 16 bits). Default 300. */
  ttlSeconds?: number;
  /** Default scrypt N=2^15, r=8, p=1. */
  kdf?: KdfSettings;
  now?: Clock;
  random?: RandomSource;
  /** Where the KDF runs; plug a native scrypt/PBKDF2 with `createCryptoProvider`. */
  crypto?: CryptoProvider;
}

function resolveKdf(kdf: KdfSettings | undefined): KdfParameters {
  const settings: KdfSettings = kdf ?? { algorithm: 'scrypt' };
  let resolved: KdfParameters;
  if (settings.algorithm === 'scrypt') {
    const { log2N = DEFAULT_SCRYPT.log2N, r = DEFAULT_SCRYPT.r, p = DEFAULT_SCRYPT.p } = settings;
    for (const [name, v, max] of [['log2N', log2N, 32], ['r', r, 255], ['p', p, 255]] as const) {
      if (!Number.isSafeInteger(v) || v < 1 || v > max) {
        throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"kdf.${name}" expected an integer in [1, ${max}]`);
      }
    }
    if (2 ** log2N * r < SCRYPT_MIN_NR) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"kdf" is below the scrypt floor (N·r >= 2^17)');
    }
    resolved = { algorithm: 'scrypt', log2N, r, p };
  } else if (settings.algorithm === 'pbkdf2-sha256') {
    const { iterations = DEFAULT_PBKDF2_ITERATIONS } = settings;
    if (!Number.isSafeInteger(iterations) || iterations < PBKDF2_MIN_ITERATIONS || iterations > 0xffffffff) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"kdf.iterations" expected an integer of at least ${PBKDF2_MIN_ITERATIONS}`);
    }
    resolved = { algorithm: 'pbkdf2-sha256', iterations };
  } else {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"kdf.algorithm" expected scrypt or pbkdf2-sha256');
  }
  // Never seal what the default decoder would refuse.
  try {
    checkKdfLimits(resolved, DEFAULT_LIMITS);
  } catch {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"kdf" is above the cost the default decoder accepts');
  }
  return resolved;
}

/**
 * Seals a payload into an activation envelope (docs/protocol/activation.md): validates it,
 * derives a single-use key from the password with scrypt (or PBKDF2) over a fresh random salt,
 * encrypts with XChaCha20-Poly1305 (all-zero nonce, not sent: each key encrypts one envelope)
 * with every header byte as associated data, and returns the QR text.
 * Server side: keep `expiresAt` with the activation record; the server enforces it.
 * Misuse throws `ERR_INVALID_ARGUMENT` naming the field, never its value.
 *
 * @example
 * ```ts
 * const payload = createActivationPayload({ issuer: 'Acme', origin: 'https://mfa.acme.test' });
 * await db.insertActivation({ id: payload.activationId, payload, account: 'jane@acme.test' }); // the account stays on the server
 * const password = generatePassword();
 * const { text, expiresAt } = await sealEnvelope({ payload, password });
 * const svg = renderQrSvg({ text }); // import { renderQrSvg } from '@cloudmfa/activation/qr'
 * ```
 */
export async function sealEnvelope(options: SealEnvelopeOptions): Promise<SealedEnvelope> {
  const {
    ttlSeconds = DEFAULT_TTL_SECONDS,
    now = systemClock,
    random = systemRandom,
    crypto = pureJsCryptoProvider,
  } = options;
  const payload = parseArgument<ActivationPayload>(payloadSchema, options.payload, 'payload');
  if (typeof options.password !== 'string') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"password" expected a string');
  }
  const password = normalizePassword(options.password);
  if (password.length < MIN_SEAL_PASSWORD_LENGTH || password.length > MAX_SEAL_PASSWORD_LENGTH || !/^[\x21-\x7e]*$/.test(password)) {
    throw new CloudMfaError(
      'ERR_INVALID_ARGUMENT',
      `"password" expected ${MIN_SEAL_PASSWORD_LENGTH}..${MAX_SEAL_PASSWORD_LENGTH} printable ASCII characters after normalisation`,
    );
  }
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"ttlSeconds" expected an integer in [1, ${MAX_TTL_SECONDS}]`);
  }
  const kdf = resolveKdf(options.kdf);
  const issuedAtSeconds = Math.floor(readClock(now) / 1000);
  if (issuedAtSeconds > 0xffffffff) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"now" is beyond what envelope v1 can represent (2106)');
  }
  const { text, header } = await sealWithParameters({
    payload,
    normalizedPassword: password,
    kdf,
    issuedAtSeconds,
    lifetimeSeconds: ttlSeconds,
    random,
    crypto,
  });
  return { ...header, text };
}
