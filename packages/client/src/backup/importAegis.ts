import { CloudMfaError, type CryptoProvider, decodeBase32, decodeBase64Url, hexToBytes, pureJsCryptoProvider, utf8Decode, utf8Encode } from '@cloudmfa/core';
import type { OtpAlgorithm } from '@cloudmfa/otp';
import { gcm } from '@noble/ciphers/aes.js';
import type { BackupErrorCode } from '../vault/errors.js';
import { kdfStanding } from '../vault/kdf.js';

/**
 * The largest Aegis export read (icons make them big): 32 Mi characters.
 *
 * @example
 * ```ts
 * if (text.length > MAX_AEGIS_JSON_LENGTH) showTooLarge();
 * ```
 */
export const MAX_AEGIS_JSON_LENGTH = 33554432;
/** At most this many password slots are tried (each costs one scrypt). */
const MAX_PASSWORD_SLOTS = 4;

/**
 * One OTP account as imported from another app, ready for the engine to turn into an identity.
 *
 * @example
 * ```ts
 * const entry: OtpEntry = { type: 'totp', secret, algorithm: 'SHA1', digits: 6, period: 30, issuer: 'Northwind', account: 'ana' };
 * ```
 */
export interface OtpEntry {
  type: 'totp' | 'hotp';
  secret: Uint8Array;
  algorithm: OtpAlgorithm;
  digits: number;
  /** TOTP only, seconds. */
  period?: number;
  /** HOTP only. */
  counter?: number;
  issuer?: string;
  account: string;
}

/**
 * An Aegis entry that was not imported, with why: `'unsupported'` (Steam, mOTP, Yandex, MD5)
 * or `'invalid'` (a field out of range, a secret that is not base32). Show these to the user.
 *
 * @example
 * ```ts
 * const s: AegisSkipped = { type: 'steam', issuer: 'Adventure Works', account: 'gus', reason: 'unsupported' };
 * ```
 */
export interface AegisSkipped {
  type: string;
  issuer: string;
  account: string;
  reason: 'unsupported' | 'invalid';
}

/**
 * What {@link importAegis} read.
 *
 * @example
 * ```ts
 * const { entries, skipped } = await importAegis({ json, password });
 * ```
 */
export interface AegisImport {
  entries: OtpEntry[];
  skipped: AegisSkipped[];
}

const fail = (code: BackupErrorCode, message: string): CloudMfaError => new CloudMfaError(code, message);
const malformed = (): CloudMfaError => fail('ERR_BACKUP_FORMAT', 'not an Aegis vault export');

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function hexField(v: unknown, length: number | [number, number]): Uint8Array {
  const [min, max] = typeof length === 'number' ? [length, length] : length;
  if (typeof v !== 'string' || v.length % 2 !== 0 || v.length < 2 * min || v.length > 2 * max || !/^[0-9a-fA-F]*$/.test(v)) throw malformed();
  return hexToBytes(v.toLowerCase());
}

// AES-GCM from @noble/ciphers (audited), not a smaller one of our own: a hand-rolled block
// cipher saved 7 KB of bundle and was not worth defending in a review.
function aesGcmOpen(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
  const sealed = new Uint8Array(ciphertext.length + tag.length);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  try {
    return gcm(key, nonce).decrypt(sealed);
  } catch {
    return undefined;
  }
}

/** Standard base64 with padding (Aegis' `db`) through core's base64url decoder. */
function decodeBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw malformed();
  try {
    return decodeBase64Url(text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'), 'db');
  } catch {
    throw malformed();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed();
  }
}

interface PasswordSlot {
  key: Uint8Array;
  nonce: Uint8Array;
  tag: Uint8Array;
  log2N: number;
  r: number;
  p: number;
  salt: Uint8Array;
}

function readPasswordSlot(slot: Json): PasswordSlot {
  const params = slot.key_params;
  if (!isObject(params)) throw malformed();
  const { n, r, p } = slot;
  if (typeof n !== 'number' || typeof r !== 'number' || typeof p !== 'number') throw malformed();
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(r) || !Number.isSafeInteger(p) || n < 2) throw malformed();
  const log2N = Math.log2(n);
  if (!Number.isInteger(log2N)) throw malformed();
  const standing = kdfStanding({ log2N, r, p });
  if (standing === 'invalid') throw malformed();
  if (standing === 'too-costly') throw fail('ERR_BACKUP_KDF_COST', 'the export asks for KDF parameters above the caps');
  return {
    key: hexField(slot.key, 32),
    nonce: hexField(params.nonce, 12),
    tag: hexField(params.tag, 16),
    log2N,
    r,
    p,
    salt: hexField(slot.salt, [1, 64]),
  };
}

const ALGORITHMS: readonly string[] = ['SHA1', 'SHA256', 'SHA512'];

function readEntry(entry: unknown): OtpEntry | AegisSkipped {
  if (!isObject(entry)) throw malformed();
  const type = typeof entry.type === 'string' ? entry.type : '';
  const issuer = typeof entry.issuer === 'string' ? entry.issuer : '';
  const account = typeof entry.name === 'string' ? entry.name : '';
  const skipped = (reason: AegisSkipped['reason']): AegisSkipped => ({ type, issuer, account, reason });
  if (type !== 'totp' && type !== 'hotp') return skipped('unsupported');
  const info = entry.info;
  if (!isObject(info) || typeof entry.name !== 'string' || (entry.issuer !== undefined && entry.issuer !== null && typeof entry.issuer !== 'string')) {
    return skipped('invalid');
  }
  const { secret, algo, digits, period, counter } = info;
  if (typeof algo !== 'string') return skipped('invalid');
  if (!ALGORITHMS.includes(algo)) return skipped('unsupported');
  if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < 6 || digits > 10) return skipped('invalid');
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > 1024) return skipped('invalid');
  let bytes: Uint8Array;
  try {
    bytes = decodeBase32(secret);
  } catch {
    return skipped('invalid');
  }
  if (bytes.length === 0) return skipped('invalid');
  const base = { secret: bytes, algorithm: algo as OtpAlgorithm, digits, account, ...(issuer === '' ? {} : { issuer }) };
  if (type === 'totp') {
    if (typeof period !== 'number' || !Number.isInteger(period) || period < 1 || period > 31536000) return skipped('invalid');
    return { type, ...base, period };
  }
  if (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 0) return skipped('invalid');
  return { type, ...base, counter };
}

function readContent(content: unknown): AegisImport {
  if (!isObject(content) || !Array.isArray(content.entries)) throw malformed();
  const version = content.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw malformed();
  if (version > 3) throw fail('ERR_BACKUP_VERSION', 'an Aegis vault content version this SDK does not know');
  const entries: OtpEntry[] = [];
  const skipped: AegisSkipped[] = [];
  for (const raw of content.entries) {
    const e = readEntry(raw);
    if ('reason' in e) skipped.push(e);
    else entries.push(e);
  }
  return { entries, skipped };
}

/**
 * Options of {@link importAegis}.
 *
 * @example
 * ```ts
 * const options: ImportAegisOptions = { json: await file.text(), password: 'hunter2' };
 * ```
 */
export interface ImportAegisOptions {
  /** The text of an Aegis vault export (`aegis-export-*.json`, plain or encrypted). */
  json: string;
  /** The export's password; required when it is encrypted. Used as typed (UTF-8, no normalisation), as Aegis does. */
  password?: string;
  crypto?: CryptoProvider;
}

/**
 * Reads an Aegis vault export (format: Aegis' docs/vault.md): plain JSON, or
 * password-encrypted (scrypt password slots wrapping the master key with AES-256-GCM, the
 * entries AES-256-GCM under the master key). TOTP and HOTP entries come back as
 * {@link OtpEntry}; Steam, mOTP, Yandex and malformed entries are listed in `skipped`.
 *
 * Errors: `ERR_BACKUP_FORMAT` (not an Aegis export), `ERR_BACKUP_VERSION`,
 * `ERR_BACKUP_PASSWORD_REQUIRED` (encrypted, no password), `ERR_BACKUP_KDF_COST` (before the
 * KDF), `ERR_BACKUP_PASSWORD` (no password slot opens; Aegis has no checksum, so a damaged
 * slot reads as a wrong password), `ERR_BACKUP_DAMAGED` (the slot opened, the entries do not),
 * `ERR_BACKUP_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const { entries, skipped } = await importAegis({ json, password: 'test' });
 * for (const e of entries) addIdentity(e);
 * if (skipped.length > 0) tellTheUser(skipped);
 * ```
 */
export async function importAegis(options: ImportAegisOptions): Promise<AegisImport> {
  if (typeof options !== 'object' || options === null) throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"options" expected an object');
  const { json, password, crypto = pureJsCryptoProvider } = options;
  if (typeof json !== 'string') throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"json" expected a string');
  if (password !== undefined && typeof password !== 'string') throw new CloudMfaError('ERR_INVALID_ARGUMENT', '"password" expected a string');
  if (json.length > MAX_AEGIS_JSON_LENGTH) throw fail('ERR_BACKUP_TOO_LARGE', 'the export is larger than the import cap');
  const root = parseJson(json);
  if (!isObject(root) || !isObject(root.header)) throw malformed();
  if (root.version !== 1) {
    if (typeof root.version === 'number' && Number.isInteger(root.version) && root.version > 1) {
      throw fail('ERR_BACKUP_VERSION', 'an Aegis vault version this SDK does not know');
    }
    throw malformed();
  }
  const { slots, params } = root.header;
  if (slots === null || slots === undefined) {
    if (params !== null && params !== undefined) throw malformed();
    return readContent(root.db);
  }
  if (!Array.isArray(slots) || slots.length > 64 || !isObject(params) || typeof root.db !== 'string') throw malformed();
  const dbNonce = hexField(params.nonce, 12);
  const dbTag = hexField(params.tag, 16);
  const passwordSlots: PasswordSlot[] = [];
  for (const slot of slots) {
    if (!isObject(slot) || typeof slot.type !== 'number') throw malformed();
    if (slot.type === 1) passwordSlots.push(readPasswordSlot(slot));
  }
  if (passwordSlots.length === 0 || passwordSlots.length > MAX_PASSWORD_SLOTS) throw malformed();
  const db = decodeBase64(root.db);
  if (password === undefined) throw fail('ERR_BACKUP_PASSWORD_REQUIRED', 'the export is encrypted: a password is needed');
  const secret = utf8Encode(password);
  for (const slot of passwordSlots) {
    let key: Uint8Array;
    try {
      key = await crypto.scrypt(secret, slot.salt, { N: 2 ** slot.log2N, r: slot.r, p: slot.p, dkLen: 32 });
    } catch {
      throw fail('ERR_BACKUP_KDF_FAILED', 'the crypto provider failed to derive the key');
    }
    const masterKey = aesGcmOpen(key, slot.nonce, slot.key, slot.tag);
    if (masterKey === undefined || masterKey.length !== 32) continue;
    const plain = aesGcmOpen(masterKey, dbNonce, db, dbTag);
    if (plain === undefined) throw fail('ERR_BACKUP_DAMAGED', 'the export is damaged');
    let text: string;
    try {
      text = utf8Decode(plain);
    } catch {
      throw fail('ERR_BACKUP_DAMAGED', 'the export is damaged');
    }
    let content: unknown;
    try {
      content = JSON.parse(text);
    } catch {
      throw fail('ERR_BACKUP_DAMAGED', 'the export is damaged');
    }
    return readContent(content);
  }
  throw fail('ERR_BACKUP_PASSWORD', 'the password does not open this export');
}
