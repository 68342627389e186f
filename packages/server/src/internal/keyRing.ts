// The in-memory key ring (docs/server.md section 2): 32-byte KEKs held in this process. It is
// one KekProvider (AES-256-GCM wrap of data keys), and it still opens what was sealed directly
// under a KEK before envelope encryption (formats 0x01 and 0x02) and checks the push-number
// MACs written then.
import { concatBytes, type CryptoProvider, type RandomSource, utf8Encode } from '@cloudmfa/core';
import type { KekProvider, KeyEncryptionKeys } from '../types.js';
import { DECRYPT_MESSAGE, serverError } from './errors.js';

export const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;
export const DATA_KEY_LENGTH = 32;
const KEY_LENGTH = 32;
/** The label of every sealed secret's associated data, all formats. */
export const AAD_LABEL = utf8Encode('cloudmfa/server/secret/v1');
const LEGACY_IDS_ONLY = 0x01;
const LEGACY_BOUND = 0x02;

/** What a sealed blob holds: the online activation secret (before redemption) or the OTP seed. */
export type SecretKind = 'activation' | 'seed';
export const KIND_BYTE: Record<SecretKind, number> = { activation: 0x01, seed: 0x02 };

/**
 * Whose secret it is and what it is for: bound into the AEAD so a row cannot be moved to
 * another enrolment, and a database writer cannot change the bound attributes (the device key
 * that approves pushes, the OTP parameters, the mode) without the secret failing to open.
 */
export interface SecretBinding {
  enrolmentId: string;
  userId: string;
  /** The canonical bound attributes (see `boundAttributes` in meta.ts): their UTF-8 is bound. */
  attributes: string;
}

export interface Subtle {
  importKey(format: 'raw', key: BufferSource, alg: string, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKey>;
  encrypt(alg: AesGcmParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>;
  decrypt(alg: AesGcmParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>;
}

export const view = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b));

const encoder = new TextEncoder();
// Where associated data is assembled before the copy that is returned: it holds ids and
// attributes, never a secret.
let scratch = new Uint8Array(1024);

/**
 * `head || lp16(utf8(part)) || ...` for string parts and `lp16(part)` for byte parts, as one
 * array: every associated data here has this shape, and the seed's is built on every verify.
 * A length past 65535 is taken modulo 65536, as `u16` always was here (no caller comes near
 * it: ids are at most 128 characters, the bound attributes a few hundred bytes).
 */
export function lpConcat(head: Uint8Array, ...parts: (string | Uint8Array)[]): Uint8Array {
  let max = head.length;
  for (const p of parts) max += 2 + (typeof p === 'string' ? 3 * p.length : p.length);
  if (scratch.length < max) scratch = new Uint8Array(max);
  scratch.set(head, 0);
  let at = head.length;
  for (const p of parts) {
    let n: number;
    if (typeof p === 'string') n = encoder.encodeInto(p, scratch.subarray(at + 2)).written;
    else {
      scratch.set(p, at + 2);
      n = p.length;
    }
    scratch[at] = n >>> 8;
    scratch[at + 1] = n & 0xff;
    at += 2 + n;
  }
  return scratch.slice(0, at);
}

export function subtleOrThrow(): Subtle {
  const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (!subtle || typeof subtle.encrypt !== 'function') {
    throw serverError('ERR_SERVER_CONFIG', 'AES-GCM needs crypto.subtle (Node >= 20, Deno, Bun, browsers, edge runtimes)');
  }
  return subtle;
}

/** The plaintext of a sealed secret: `kind || bytes`. Zeroes `pt`. */
export function readPlaintext(pt: Uint8Array): { kind: SecretKind; bytes: Uint8Array } {
  const kind: SecretKind | null = pt[0] === 0x01 ? 'activation' : pt[0] === 0x02 ? 'seed' : null;
  if (kind === null || pt.length < 2) {
    pt.fill(0);
    throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
  }
  const bytes = pt.slice(1);
  pt.fill(0);
  return { kind, bytes };
}

/** A KEK id in a blob header at `offset` (`u8(len) || ascii`), or `null`. */
export function readKeyId(blob: Uint8Array, offset: number): string | null {
  const n = blob[offset];
  if (n === undefined || n < 1 || n > 64 || blob.length < offset + 1 + n) return null;
  // Nearly every blob names the KEK the one before named: that id, already checked, when the
  // bytes are its characters (every verify reads a header).
  if (n === lastKeyId.length) {
    let i = 0;
    while (i < n && blob[offset + 1 + i] === lastKeyId.charCodeAt(i)) i++;
    if (i === n) return lastKeyId;
  }
  let keyId = '';
  for (let i = 0; i < n; i++) keyId += String.fromCharCode(blob[offset + 1 + i] as number);
  if (!KEY_ID.test(keyId)) return null;
  lastKeyId = keyId;
  return keyId;
}
let lastKeyId = '';

/** The in-memory ring as the server uses it: a provider plus what only raw KEKs can do. */
export interface MemoryKeyRing {
  readonly provider: KekProvider;
  has(keyId: string): boolean;
  /** Opens a 0x01/0x02 blob (sealed directly under a KEK); `null` when `blob` is not one. */
  openLegacy(blob: Uint8Array, binding: SecretBinding): Promise<{ kind: SecretKind; bytes: Uint8Array; keyId: string } | null>;
  /** The push-number MAC of challenges written before envelope encryption (`HMAC(HMAC(KEK, label), message)`). */
  legacyMac(label: string, message: Uint8Array, keyId: string): Uint8Array | null;
}

/** Validates and copies the caller's keys; imports them into WebCrypto lazily (non-extractable). */
export function createMemoryKeyRing(kek: KeyEncryptionKeys, random: RandomSource, crypto: CryptoProvider, field = 'keys.kek'): MemoryKeyRing {
  if (typeof kek !== 'object' || kek === null) throw serverError('ERR_SERVER_CONFIG', `"${field}" expected { current, keys }`);
  const { current, keys } = kek;
  if (typeof keys !== 'object' || keys === null) throw serverError('ERR_SERVER_CONFIG', `"${field}.keys" expected an object of key id -> 32 bytes`);
  const raw = new Map<string, Uint8Array>();
  for (const [id, key] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) throw serverError('ERR_SERVER_CONFIG', `"${field}.keys" has a key id outside ^[A-Za-z0-9._-]{1,64}$`);
    if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
      throw serverError('ERR_SERVER_CONFIG', `"${field}.keys.${id}" expected ${KEY_LENGTH} bytes`);
    }
    raw.set(id, Uint8Array.from(key));
  }
  if (typeof current !== 'string' || !raw.has(current)) throw serverError('ERR_SERVER_CONFIG', `"${field}.current" must name one of "${field}.keys"`);
  const subtle = subtleOrThrow();
  const imported = new Map<string, Promise<CryptoKey>>();
  const cryptoKey = (id: string): Promise<CryptoKey> => {
    let p = imported.get(id);
    if (!p) {
      p = subtle.importKey('raw', view(raw.get(id) as Uint8Array), 'AES-GCM', false, ['encrypt', 'decrypt']);
      imported.set(id, p);
    }
    return p;
  };
  const decrypt = async (keyId: string, nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: view(nonce.slice()), additionalData: view(aad), tagLength: 128 }, await cryptoKey(keyId), view(ct.slice())));
    } catch {
      // No cause: WebCrypto's error says nothing useful and nothing should travel.
      throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
    }
  };

  const provider: KekProvider = Object.freeze({
    currentKeyId: current,
    async wrapKey({ dataKey, associatedData }: { dataKey: Uint8Array; associatedData: Uint8Array }) {
      const nonce = random(NONCE_LENGTH);
      const ct = new Uint8Array(
        await subtle.encrypt({ name: 'AES-GCM', iv: view(nonce), additionalData: view(associatedData), tagLength: 128 }, await cryptoKey(current), view(dataKey)),
      );
      return { keyId: current, wrappedKey: concatBytes(nonce, ct) };
    },
    async unwrapKey({ keyId, wrappedKey, associatedData }: { keyId: string; wrappedKey: Uint8Array; associatedData: Uint8Array }) {
      if (!raw.has(keyId)) throw serverError('ERR_SERVER_KEY_UNKNOWN', 'a stored secret names a key-encryption key id that is not configured');
      if (wrappedKey.length <= NONCE_LENGTH + TAG_LENGTH) throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      return decrypt(keyId, wrappedKey.subarray(0, NONCE_LENGTH), associatedData, wrappedKey.subarray(NONCE_LENGTH));
    },
  });

  return Object.freeze({
    provider,
    has: (keyId: string) => raw.has(keyId),
    async openLegacy(blob: Uint8Array, binding: SecretBinding) {
      if (blob[0] !== LEGACY_IDS_ONLY && blob[0] !== LEGACY_BOUND) return null;
      const keyId = readKeyId(blob, 1);
      if (keyId === null) throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      const headerLength = 2 + keyId.length;
      if (blob.length < headerLength + NONCE_LENGTH + TAG_LENGTH + 1) throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      if (!raw.has(keyId)) throw serverError('ERR_SERVER_KEY_UNKNOWN', 'a stored secret names a key-encryption key id that is not configured');
      const header = blob.subarray(0, headerLength);
      const head = concatBytes(AAD_LABEL, new Uint8Array([0]), header);
      const aad =
        blob[0] === LEGACY_IDS_ONLY
          ? lpConcat(head, binding.enrolmentId, binding.userId)
          : lpConcat(head, binding.enrolmentId, binding.userId, binding.attributes);
      const pt = await decrypt(keyId, blob.subarray(headerLength, headerLength + NONCE_LENGTH), aad, blob.subarray(headerLength + NONCE_LENGTH));
      return { ...readPlaintext(pt), keyId };
    },
    legacyMac(label: string, message: Uint8Array, keyId: string) {
      const k = raw.get(keyId);
      if (!k) return null;
      const derived = crypto.hmac('SHA256', k, utf8Encode(`cloudmfa/server/mac/${label}/v1`));
      try {
        return crypto.hmac('SHA256', derived, message);
      } finally {
        derived.fill(0);
      }
    },
  });
}

/** Rings made by `createKeyRing`, so the server also uses them for the formats before 0x03. */
export const MEMORY_RINGS = new WeakMap<KekProvider, MemoryKeyRing>();
