// The envelope container (docs/protocol/activation.md sections 1 and 2): QR text <-> bytes,
// and the clear header. Checks run cheapest first and before any KDF work.
import { BASE45_ALPHABET, CloudMfaError, decodeBase45 } from '@cloudmfa/core';
import type { EnvelopeHeader, EnvelopeLimits, KdfParameters } from '../types.js';
import { ByteReader } from './binary.js';
import {
  DEFAULT_LIMITS,
  ENVELOPE_VERSION,
  KDF_PBKDF2_SHA256,
  KDF_SCRYPT,
  MODE_OFFLINE,
  MODE_ONLINE,
  SALT_LENGTH,
  TAG_LENGTH,
  TEXT_PREFIX,
} from './constants.js';

export interface ParsedEnvelope {
  header: EnvelopeHeader;
  /** Every header byte: the AEAD associated data. */
  headerBytes: Uint8Array;
  salt: Uint8Array;
  /** ciphertext || tag */
  sealed: Uint8Array;
}

/** What the sealer (seal.ts, server side) writes into a header. */
export interface HeaderFields {
  mode: 'online' | 'offline';
  kdf: KdfParameters;
  salt: Uint8Array;
  issuedAtSeconds: number;
  /** 1..65535: the header stores `issuedAt` and this, `expiresAt` is their sum. */
  lifetimeSeconds: number;
}

const fail = (code: 'ERR_ENVELOPE_MALFORMED' | 'ERR_ENVELOPE_TOO_LARGE' | 'ERR_ENVELOPE_VERSION' | 'ERR_ENVELOPE_KDF_COST', message: string): never => {
  throw new CloudMfaError(code, message);
};
const malformed = (): never => fail('ERR_ENVELOPE_MALFORMED', 'not a valid activation envelope');

const ALPHANUMERIC = new Set(BASE45_ALPHABET.split(''));

export function resolveLimits(limits: Partial<EnvelopeLimits> | undefined): EnvelopeLimits {
  const merged = { ...DEFAULT_LIMITS, ...(limits ?? {}) };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof EnvelopeLimits)[]) {
    const v = merged[key];
    if (typeof v !== 'number' || !(v > 0)) {
      throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"limits.${key}" expected a positive number`);
    }
  }
  return merged;
}

/**
 * Text -> header and sealed bytes. Throws TOO_LARGE, MALFORMED or VERSION; never runs a KDF.
 * The KDF cost caps are separate ({@link checkKdfLimits}) so a header can be read without them.
 */
export function parseEnvelopeText(text: unknown, maxTextLength: number): ParsedEnvelope {
  if (typeof text !== 'string') {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"text" expected a string');
  }
  if (text.length > maxTextLength) fail('ERR_ENVELOPE_TOO_LARGE', `envelope text longer than ${maxTextLength} characters`);
  if (!text.startsWith(TEXT_PREFIX)) malformed();
  for (let i = 0; i < text.length; i++) {
    if (!ALPHANUMERIC.has(text[i] as string)) {
      fail('ERR_ENVELOPE_MALFORMED', `character at position ${i + 1} is outside the QR alphanumeric set`);
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeBase45(text.slice(TEXT_PREFIX.length), 'envelope');
  } catch {
    return malformed();
  }
  const r = new ByteReader(bytes, malformed);
  // The version is the high nibble of byte 0 in every version of the format.
  const first = r.u8();
  const version = first >> 4;
  if (version !== ENVELOPE_VERSION) fail('ERR_ENVELOPE_VERSION', `unsupported envelope version ${version}`);
  const modeBits = first & 0x0f;
  const mode = modeBits === MODE_ONLINE ? 'online' : modeBits === MODE_OFFLINE ? 'offline' : malformed();
  const kdfId = r.u8();
  let kdf: KdfParameters;
  if (kdfId === KDF_SCRYPT) {
    kdf = { algorithm: 'scrypt', log2N: r.u8(), r: r.u8(), p: r.u8() };
    if (kdf.log2N < 1 || kdf.r < 1 || kdf.p < 1) malformed();
  } else if (kdfId === KDF_PBKDF2_SHA256) {
    kdf = { algorithm: 'pbkdf2-sha256', iterations: r.u32() };
    if (kdf.iterations < 1) malformed();
  } else return malformed();
  const salt = r.bytes(SALT_LENGTH);
  const issuedAt = r.u32();
  const lifetime = r.u16();
  if (lifetime === 0) malformed();
  const headerLength = r.position;
  if (r.remaining < TAG_LENGTH) malformed();
  return {
    header: { version: ENVELOPE_VERSION, mode, kdf, issuedAt: issuedAt * 1000, expiresAt: (issuedAt + lifetime) * 1000 },
    headerBytes: bytes.slice(0, headerLength),
    salt,
    sealed: bytes.slice(headerLength),
  };
}

/** Refuses KDF parameters over the caps with `ERR_ENVELOPE_KDF_COST`. */
export function checkKdfLimits(kdf: KdfParameters, limits: EnvelopeLimits): void {
  if (kdf.algorithm === 'scrypt') {
    const N = 2 ** kdf.log2N;
    if (128 * N * kdf.r > limits.scryptMaxMemoryBytes || N * kdf.r * kdf.p > limits.scryptMaxWork) {
      fail('ERR_ENVELOPE_KDF_COST', 'envelope asks for a scrypt cost above the allowed limit');
    }
  } else if (kdf.iterations > limits.pbkdf2MaxIterations) {
    fail('ERR_ENVELOPE_KDF_COST', 'envelope asks for a PBKDF2 cost above the allowed limit');
  }
}
