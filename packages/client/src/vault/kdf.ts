// PIN and password handling: normalisation, KDF defaults and caps (docs/protocol/vault.md
// section 5). Internal helpers plus the exported constants.
import { CloudMfaError, type CryptoProvider, type ScryptParams, utf8Encode } from '@cloudmfa/core';
import { KEY_LENGTH, type StoredKdf } from './format.js';

/**
 * The vault's scrypt limits. A stored slot outside them is refused before the KDF runs
 * (`ERR_VAULT_KDF_COST` / `ERR_BACKUP_KDF_COST` above, `ERR_VAULT_DAMAGED` /
 * `ERR_BACKUP_DAMAGED` below the floor); `pinKdf` and `kdf` options outside them throw
 * `ERR_INVALID_ARGUMENT`. The caps bound what a planted file can make a phone compute:
 * at most 128 MiB and N·r·p <= 2^21.
 *
 * @example
 * ```ts
 * VAULT_KDF_LIMITS.maxLog2N; // 17
 * ```
 */
export const VAULT_KDF_LIMITS = Object.freeze({
  minLog2N: 10,
  maxLog2N: 17,
  maxR: 16,
  maxP: 4,
  /** 128·r·N bytes. */
  maxMemory: 134217728,
  /** N·r·p. */
  maxWork: 2097152,
});

/**
 * Default PIN KDF: scrypt N = 2^14, r = 8, p = 1 (16 MiB). About 30 ms with Node's native
 * scrypt on the reference machine, so 0.1-0.15 s on a phone with a native KDF; the PIN's real
 * protection is the attempt counter and the host store (spec section 5.2).
 *
 * @example
 * ```ts
 * await openVault({ store, pinKdf: DEFAULT_PIN_KDF });
 * ```
 */
export const DEFAULT_PIN_KDF: Readonly<ScryptParams> = Object.freeze({ N: 16384, r: 8, p: 1, dkLen: 32 });

/**
 * Default backup-password KDF: scrypt N = 2^16, r = 8, p = 1 (64 MiB): a backup file can be
 * attacked offline, and exporting or importing is rare.
 *
 * @example
 * ```ts
 * await exportBackup({ contents, password, kdf: DEFAULT_BACKUP_KDF });
 * ```
 */
export const DEFAULT_BACKUP_KDF: Readonly<ScryptParams> = Object.freeze({ N: 65536, r: 8, p: 1, dkLen: 32 });

/** Where a stored KDF falls against the limits. */
export function kdfStanding(kdf: Pick<StoredKdf, 'log2N' | 'r' | 'p'>): 'ok' | 'too-costly' | 'invalid' {
  const { log2N, r, p } = kdf;
  if (log2N < VAULT_KDF_LIMITS.minLog2N || r < 1 || p < 1) return 'invalid';
  if (log2N > VAULT_KDF_LIMITS.maxLog2N || r > VAULT_KDF_LIMITS.maxR || p > VAULT_KDF_LIMITS.maxP) return 'too-costly';
  const N = 2 ** log2N;
  if (128 * r * N > VAULT_KDF_LIMITS.maxMemory || N * r * p > VAULT_KDF_LIMITS.maxWork) return 'too-costly';
  return 'ok';
}

/** Validates a caller's scrypt parameters and returns their stored form (without salt). */
export function checkKdfOption(params: unknown, title: string): { log2N: number; r: number; p: number } {
  const bad = (): CloudMfaError =>
    new CloudMfaError(
      'ERR_INVALID_ARGUMENT',
      `"${title}" expected scrypt parameters { N: 2^${VAULT_KDF_LIMITS.minLog2N}..2^${VAULT_KDF_LIMITS.maxLog2N}, r <= ${VAULT_KDF_LIMITS.maxR}, p <= ${VAULT_KDF_LIMITS.maxP}, dkLen: 32 } within the caps`,
    );
  if (typeof params !== 'object' || params === null) throw bad();
  const { N, r, p, dkLen } = params as Record<string, unknown>;
  if (typeof N !== 'number' || typeof r !== 'number' || typeof p !== 'number' || dkLen !== KEY_LENGTH) throw bad();
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p) || N < 2) throw bad();
  const log2N = Math.log2(N);
  if (!Number.isInteger(log2N)) throw bad();
  const out = { log2N, r, p };
  if (kdfStanding(out) !== 'ok') throw bad();
  return out;
}

// Any non-ASCII character means normalisation is needed; ASCII is NFKC-stable.
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * NFKC-normalises a PIN or password (so a full-width "１２３４" and "1234" are the same PIN)
 * and encodes it as UTF-8. ASCII input skips `normalize`, so engines without ICU (some Hermes
 * builds) handle ASCII PINs; non-ASCII input there throws `ERR_CRYPTO_UNSUPPORTED` rather than
 * deriving a key another device would not reproduce.
 */
export function normalizeSecret(value: unknown, title: string, minLength: number): Uint8Array {
  if (typeof value !== 'string') throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected a string`);
  let text = value;
  if (NON_ASCII.test(text)) {
    if (typeof text.normalize !== 'function') {
      throw new CloudMfaError('ERR_CRYPTO_UNSUPPORTED', `"${title}" has non-ASCII characters and this engine has no String.prototype.normalize`);
    }
    text = text.normalize('NFKC');
  }
  const length = [...text].length;
  if (length < minLength || length > 256) {
    throw new CloudMfaError('ERR_INVALID_ARGUMENT', `"${title}" expected ${minLength}..256 characters, got ${length}`);
  }
  return utf8Encode(text);
}

/** Runs the provider's scrypt; a provider failure becomes `code` with no input material. */
export async function deriveSlotKey(
  crypto: CryptoProvider,
  secret: Uint8Array,
  kdf: StoredKdf,
  code: 'ERR_VAULT_KDF_FAILED' | 'ERR_BACKUP_KDF_FAILED',
): Promise<Uint8Array> {
  let key: Uint8Array;
  try {
    key = await crypto.scrypt(secret, kdf.salt, { N: 2 ** kdf.log2N, r: kdf.r, p: kdf.p, dkLen: KEY_LENGTH });
  } catch {
    throw new CloudMfaError(code, 'the crypto provider failed to derive the key');
  }
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
    throw new CloudMfaError(code, 'the crypto provider returned a key of the wrong length');
  }
  return key;
}
