import { CloudMfaError, type CryptoProvider, pureJsCryptoProvider } from '@cloudmfa/core';
import { assertBytes } from '../_assertBytes.js';
import type { BackupErrorCode } from '../vault/errors.js';
import { KIND_BACKUP, openWithMasterKey, parseRecord, SLOT_PASSWORD, unwrapKey } from '../vault/format.js';
import { deriveSlotKey, kdfStanding, normalizeSecret } from '../vault/kdf.js';
import { MAX_BACKUP_CONTENTS } from './exportBackup.js';

const fail = (code: BackupErrorCode, message: string): CloudMfaError => new CloudMfaError(code, message);

/**
 * Options of {@link importBackup}.
 *
 * @example
 * ```ts
 * const options: ImportBackupOptions = { file, password: 'correct horse battery' };
 * ```
 */
export interface ImportBackupOptions {
  /** The file {@link exportBackup} wrote. */
  file: Uint8Array;
  password: string;
  crypto?: CryptoProvider;
}

/**
 * Opens a backup file and returns its contents. The checks run in this order, so each failure
 * has its own code: not a backup (`ERR_BACKUP_FORMAT`), damaged bytes (`ERR_BACKUP_DAMAGED`,
 * from the checksum, before any KDF), a newer format (`ERR_BACKUP_VERSION`), KDF parameters
 * above the caps (`ERR_BACKUP_KDF_COST`, before the KDF), the wrong password
 * (`ERR_BACKUP_PASSWORD`), and, once the password opened its slot, an edited header or contents
 * (`ERR_BACKUP_DAMAGED`). A wrong password never looks like damage, nor damage like a wrong
 * password.
 *
 * @example
 * ```ts
 * try {
 *   contents = await importBackup({ file, password });
 * } catch (err) {
 *   if (isCloudMfaError(err, 'ERR_BACKUP_PASSWORD')) askAgain();
 *   else if (isCloudMfaError(err, 'ERR_BACKUP_DAMAGED')) showDamaged();
 *   else throw err;
 * }
 * ```
 */
export async function importBackup(options: ImportBackupOptions): Promise<Uint8Array> {
  if (typeof options !== 'object' || options === null) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  const { file, password, crypto = pureJsCryptoProvider } = options;
  assertBytes(file, 'file');
  if (file.length > MAX_BACKUP_CONTENTS + 4096) throw fail('ERR_BACKUP_TOO_LARGE', 'the file is larger than any backup');
  const secret = normalizeSecret(password, 'password', 1);
  const parsed = parseRecord(file, KIND_BACKUP);
  if (!parsed.ok) {
    if (parsed.reason === 'format') throw fail('ERR_BACKUP_FORMAT', 'not a CloudMFA backup');
    if (parsed.reason === 'version') throw fail('ERR_BACKUP_VERSION', 'the backup was written in a newer format version');
    throw fail('ERR_BACKUP_DAMAGED', 'the backup is damaged');
  }
  const { record } = parsed;
  const slot = record.slots[0];
  if (record.slots.length !== 1 || slot === undefined || slot.type !== SLOT_PASSWORD || slot.kdf === undefined) {
    throw fail('ERR_BACKUP_DAMAGED', 'the backup is damaged');
  }
  const standing = kdfStanding(slot.kdf);
  if (standing === 'invalid') throw fail('ERR_BACKUP_DAMAGED', 'the backup is damaged');
  if (standing === 'too-costly') throw fail('ERR_BACKUP_KDF_COST', 'the backup asks for KDF parameters above the caps');
  const key = await deriveSlotKey(crypto, secret, slot.kdf, 'ERR_BACKUP_KDF_FAILED');
  const masterKey = unwrapKey(key, KIND_BACKUP, slot);
  if (masterKey === undefined) throw fail('ERR_BACKUP_PASSWORD', 'the password does not open this backup');
  const opened = openWithMasterKey(record, masterKey);
  if (opened === undefined) throw fail('ERR_BACKUP_DAMAGED', 'the backup is damaged');
  return opened.contents;
}
