import { checkedRandom, CloudMfaError, type CryptoProvider, pureJsCryptoProvider, type ScryptParams, systemRandom } from '@cloudmfa/core';
import { assertBytes } from '../_assertBytes.js';
import { KEY_LENGTH, KIND_BACKUP, NONCE_LENGTH, SALT_LENGTH, SLOT_PASSWORD, sealRecord, wrapKey } from '../vault/format.js';
import { checkKdfOption, DEFAULT_BACKUP_KDF, deriveSlotKey, normalizeSecret } from '../vault/kdf.js';

/**
 * The largest contents a backup carries (16 MiB).
 *
 * @example
 * ```ts
 * if (contents.length > MAX_BACKUP_CONTENTS) splitTheBackup();
 * ```
 */
export const MAX_BACKUP_CONTENTS = 16777216;

/**
 * A backup password has at least this many characters (after NFKC): the file can be attacked
 * offline.
 *
 * @example
 * ```ts
 * const ok = password.length >= MIN_BACKUP_PASSWORD_LENGTH;
 * ```
 */
export const MIN_BACKUP_PASSWORD_LENGTH = 8;

/**
 * Options of {@link exportBackup}.
 *
 * @example
 * ```ts
 * const options: ExportBackupOptions = { contents, password: 'correct horse battery' };
 * ```
 */
export interface ExportBackupOptions {
  /** The bytes to protect (the engine's encoding of what may move to another phone). */
  contents: Uint8Array;
  /** At least {@link MIN_BACKUP_PASSWORD_LENGTH} characters; NFKC-normalised. */
  password: string;
  /** scrypt comes from here: plug a native KDF on phones. */
  crypto?: CryptoProvider;
  random?: (n: number) => Uint8Array;
  /** scrypt parameters of the password slot. Default {@link DEFAULT_BACKUP_KDF}. */
  kdf?: ScryptParams;
}

/**
 * Seals `contents` into a backup file: the vault format (docs/protocol/vault.md section 3)
 * with one password slot. Open it with {@link importBackup}.
 *
 * @example
 * ```ts
 * const file = await exportBackup({ contents: utf8Encode(json), password: 'correct horse battery' });
 * const back = await importBackup({ file, password: 'correct horse battery' });
 * ```
 */
export async function exportBackup(options: ExportBackupOptions): Promise<Uint8Array> {
  if (typeof options !== 'object' || options === null) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  const { contents, password, crypto = pureJsCryptoProvider, kdf = DEFAULT_BACKUP_KDF } = options;
  assertBytes(contents, 'contents');
  if (contents.length > MAX_BACKUP_CONTENTS) {
    throw new CloudMfaError('ERR_BACKUP_TOO_LARGE', `"contents" expected at most ${MAX_BACKUP_CONTENTS} bytes`);
  }
  const secret = normalizeSecret(password, 'password', MIN_BACKUP_PASSWORD_LENGTH);
  const params = checkKdfOption(kdf, 'kdf');
  const random = checkedRandom(options.random ?? systemRandom);
  const masterKey = random(KEY_LENGTH);
  const contentsKey = random(KEY_LENGTH);
  const stored = { ...params, salt: random(SALT_LENGTH) };
  const slotKey = await deriveSlotKey(crypto, secret, stored, 'ERR_BACKUP_KDF_FAILED');
  const slot = wrapKey(slotKey, random(NONCE_LENGTH), KIND_BACKUP, { type: SLOT_PASSWORD, kdf: stored }, masterKey);
  return sealRecord({
    kind: KIND_BACKUP,
    slots: [slot],
    masterKey,
    contentsKey,
    headerNonce: random(NONCE_LENGTH),
    contentsNonce: random(NONCE_LENGTH),
    contents,
  }).bytes;
}
