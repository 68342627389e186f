// Protocol constants of activation v1 (docs/protocol/activation.md). Changing any of these
// changes the wire format: the frozen vectors in test/vectors fail if one moves.
import type { EnvelopeLimits } from '../types.js';

export const TEXT_PREFIX = 'CMFA:';
/** Byte 0 of an envelope: the version in bits 4-7 (in every version), the mode in bits 0-3. */
export const ENVELOPE_VERSION = 1;
export const MODE_ONLINE = 0x1;
export const MODE_OFFLINE = 0x2;
export const KDF_SCRYPT = 0x01;
export const KDF_PBKDF2_SHA256 = 0x02;

export const SALT_LENGTH = 16;
/** XChaCha20-Poly1305 nonce length. The envelope's nonce is all zeros and not sent (spec 2.2); the redemption response's is random. */
export const NONCE_LENGTH = 24;
export const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;
export const ACTIVATION_ID_LENGTH = 16;
export const ACTIVATION_SECRET_LENGTH = 32;
export const P256_PUBLIC_KEY_LENGTH = 65;

export const DEFAULT_SCRYPT = { log2N: 15, r: 8, p: 1 } as const;
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
/** Sealing floors: scrypt memory `128·N·r` of 16 MiB, i.e. N·r >= 2^17. */
export const SCRYPT_MIN_NR = 2 ** 17;
export const PBKDF2_MIN_ITERATIONS = 100_000;

export const DEFAULT_TTL_SECONDS = 300;
/** The header's lifetime is a u16 of seconds: at most 18 h 12 min 15 s. */
export const MAX_TTL_SECONDS = 0xffff;
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
export const DEFAULT_REDEMPTION_SKEW_SECONDS = 600;
/** Normalised passwords longer than this never open anything (sealing allows 128). */
export const MAX_OPEN_PASSWORD_LENGTH = 256;
export const MIN_SEAL_PASSWORD_LENGTH = 8;
export const MAX_SEAL_PASSWORD_LENGTH = 128;

export const DEFAULT_LIMITS: Readonly<EnvelopeLimits> = Object.freeze({
  scryptMaxMemoryBytes: 64 * 1024 * 1024,
  scryptMaxWork: 2 ** 20,
  pbkdf2MaxIterations: 2_000_000,
  maxTextLength: 1024,
});

export const LABEL_MAC_KEY = 'cloudmfa/activation/v1/mac-key';
export const LABEL_BIND_KEY = 'cloudmfa/activation/v1/bind-key';
export const LABEL_TRANSCRIPT = 'cloudmfa/activation/v1/redeem';
export const LABEL_RESPONSE_KEY = 'cloudmfa/activation/v1/response-key';
export const LABEL_RESPONSE_AAD = 'cloudmfa/activation/v1/response';

export const MAX_PUSH_TOKEN_LENGTH = 4096;
export const MAX_RESPONSE_CIPHERTEXT = 4096;

export const DECRYPT_MESSAGE = 'envelope could not be opened: wrong password or damaged envelope';
export const RESPONSE_DECRYPT_MESSAGE = 'redemption response could not be opened';
