// Argument checks shared by the pure provider and the guards that createCryptoProvider puts
// around host primitives, so both refuse exactly the same calls. Internal: not re-exported.
import { assertBytes, assertInteger } from '../assert.js';
import { CloudMfaError } from '../errors.js';
import type { HashAlgorithm, Pbkdf2Params, ScryptParams } from './types.js';

/** Output length of each hash, in bytes. */
export const HASH_OUTPUT_LENGTH: Readonly<Record<HashAlgorithm, number>> = { SHA1: 20, SHA256: 32, SHA512: 64 };

/** noble's own default `maxmem`: 128·r·(N+p+1) for N = 2^20, r = 8, p = 1 (1 GiB + 2 KiB). */
// Written as literals: a bundler keeps `2 ** n` expressions it cannot prove pure.
const SCRYPT_MAX_MEMORY = 1073743872;
/** N·r·p ceiling: 256 times the SDK default (2^15 · 8 · 1). */
const SCRYPT_MAX_WORK = 67108864;
/** dkLen ceiling for scrypt and PBKDF2: the SDK derives 32 or 64 bytes. */
const KDF_MAX_DKLEN = 1024;
/** PBKDF2 iteration ceiling (about 28 times OWASP's 600,000 for PBKDF2-SHA256). */
const PBKDF2_MAX_ITERATIONS = 16777216;
/** RFC 5869: L <= 255 · HashLen. */
const HKDF_MAX_LENGTH = 255 * 32;

export function checkHashAlgorithm(algorithm: unknown): HashAlgorithm {
  if (typeof algorithm !== 'string' || !Object.prototype.hasOwnProperty.call(HASH_OUTPUT_LENGTH, algorithm)) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"algorithm" expected SHA1, SHA256 or SHA512');
  }
  return algorithm as HashAlgorithm;
}

function checkObject(value: unknown, title: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected an object`);
  }
  return value as Record<string, unknown>;
}

/** Validates scrypt inputs and returns a fresh copy of the parameters (no getters survive). */
export function checkScrypt(password: unknown, salt: unknown, params: unknown): ScryptParams {
  assertBytes(password, 'password');
  assertBytes(salt, 'salt');
  const { N, r, p, dkLen } = checkObject(params, 'params');
  assertInteger(N, 'N', 2, 2 ** 32);
  if (!Number.isInteger(Math.log2(N))) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"N" expected a power of two');
  assertInteger(r, 'r', 1, 2 ** 30);
  assertInteger(p, 'p', 1, 2 ** 30);
  assertInteger(dkLen, 'dkLen', 1, KDF_MAX_DKLEN);
  const memory = 128 * r * (N + p + 1);
  if (memory > SCRYPT_MAX_MEMORY) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `scrypt parameters need ${memory} bytes, above the ${SCRYPT_MAX_MEMORY}-byte ceiling`);
  }
  if (N * r * p > SCRYPT_MAX_WORK) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `scrypt parameters N*r*p = ${N * r * p} exceed the ${SCRYPT_MAX_WORK} ceiling`);
  }
  return { N, r, p, dkLen };
}

/** Validates PBKDF2 inputs and returns a fresh copy of the parameters. */
export function checkPbkdf2(password: unknown, salt: unknown, params: unknown): Pbkdf2Params {
  assertBytes(password, 'password');
  assertBytes(salt, 'salt');
  const { iterations, dkLen } = checkObject(params, 'params');
  assertInteger(iterations, 'iterations', 1, PBKDF2_MAX_ITERATIONS);
  assertInteger(dkLen, 'dkLen', 1, KDF_MAX_DKLEN);
  return { iterations, dkLen };
}

export function checkHkdf(ikm: unknown, salt: unknown, info: unknown, length: unknown): number {
  assertBytes(ikm, 'ikm');
  assertBytes(salt, 'salt');
  assertBytes(info, 'info');
  assertInteger(length, 'length', 1, HKDF_MAX_LENGTH);
  return length;
}

/** Verification: a non-byte argument is misuse (throws); every byte value is then a yes/no. */
export function checkVerify(publicKey: unknown, message: unknown, signature: unknown): void {
  assertBytes(publicKey, 'publicKey');
  assertBytes(message, 'message');
  assertBytes(signature, 'signature');
}
