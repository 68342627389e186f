// Seeds at rest (docs/server.md section 2): AES-256-GCM under a caller-provided key-encryption
// key, the key id in the clear header, enrolment and user ids as associated data.
import { concatBytes, type CryptoProvider, type RandomSource, utf8Encode } from '@cloudmfa/core';
import type { KeyEncryptionKeys } from '../types.js';
import { DECRYPT_MESSAGE, serverError } from './errors.js';

// 0x01: enrolment and user ids as associated data; 0x02 (what seal writes): also the bound
// attributes (mode, OTP parameters, device public key). 0x01 still opens; maintenance re-seals.
const LEGACY_FORMAT = 0x01;
const FORMAT_VERSION = 0x02;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;
const AAD_LABEL = utf8Encode('cloudmfa/server/secret/v1');
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** What a sealed blob holds: the online activation secret (before redemption) or the OTP seed. */
export type SecretKind = 'activation' | 'seed';
const KIND_BYTE: Record<SecretKind, number> = { activation: 0x01, seed: 0x02 };

/**
 * Whose secret it is and what it is for: bound into the AEAD so a row cannot be moved to
 * another enrolment, and a database writer cannot change the bound attributes (the device key
 * that approves pushes, the OTP parameters, the mode) without the secret failing to open.
 */
export interface SecretBinding {
  enrolmentId: string;
  userId: string;
  /** The canonical bound attributes (see `boundAttributes` in meta.ts). */
  attributes: Uint8Array;
}

interface Subtle {
  importKey(format: 'raw', key: BufferSource, alg: string, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKey>;
  encrypt(alg: AesGcmParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>;
  decrypt(alg: AesGcmParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>;
}

export interface KeyRing {
  readonly currentId: string;
  seal(kind: SecretKind, plaintext: Uint8Array, binding: SecretBinding): Promise<Uint8Array>;
  open(blob: Uint8Array, binding: SecretBinding): Promise<{ kind: SecretKind; bytes: Uint8Array; keyId: string }>;
  /** The key id in a blob's header, or `null` when the header does not parse. */
  keyIdOf(blob: Uint8Array): string | null;
  /** True when the blob is sealed under the current KEK in the current format (no re-seal due). */
  isCurrent(blob: Uint8Array): boolean;
  /**
   * HMAC-SHA256 of `message` under a key derived from a KEK (`HMAC(KEK, label)`): the current
   * one, or `keyId` (`null` when that key is not configured). For values kept in the store
   * that a database reader must not read (the push number).
   */
  mac(label: string, message: Uint8Array, keyId?: string): { keyId: string; mac: Uint8Array } | null;
}

const view = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b));

function lp16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + bytes.length);
  out[0] = bytes.length >>> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}

function aad(header: Uint8Array, binding: SecretBinding): Uint8Array {
  const ids = concatBytes(AAD_LABEL, new Uint8Array([0]), header, lp16(utf8Encode(binding.enrolmentId)), lp16(utf8Encode(binding.userId)));
  return header[0] === LEGACY_FORMAT ? ids : concatBytes(ids, lp16(binding.attributes));
}

function parseHeader(blob: Uint8Array): { keyId: string; headerLength: number } | null {
  if (!(blob instanceof Uint8Array) || blob.length < 2 || (blob[0] !== FORMAT_VERSION && blob[0] !== LEGACY_FORMAT)) return null;
  const n = blob[1] as number;
  if (n < 1 || n > 64 || blob.length < 2 + n + NONCE_LENGTH + TAG_LENGTH + 1) return null;
  let keyId = '';
  for (let i = 0; i < n; i++) keyId += String.fromCharCode(blob[2 + i] as number);
  return KEY_ID.test(keyId) ? { keyId, headerLength: 2 + n } : null;
}

/** Validates and copies the caller's keys; imports them into WebCrypto lazily (non-extractable). */
export function createKeyRing(kek: KeyEncryptionKeys, random: RandomSource, crypto: CryptoProvider): KeyRing {
  if (typeof kek !== 'object' || kek === null) throw serverError('ERR_SERVER_CONFIG', '"keys.kek" expected { current, keys }');
  const { current, keys } = kek;
  if (typeof keys !== 'object' || keys === null) throw serverError('ERR_SERVER_CONFIG', '"keys.kek.keys" expected an object of key id -> 32 bytes');
  const raw = new Map<string, Uint8Array>();
  for (const [id, key] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) throw serverError('ERR_SERVER_CONFIG', '"keys.kek.keys" has a key id outside ^[A-Za-z0-9._-]{1,64}$');
    if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
      throw serverError('ERR_SERVER_CONFIG', `"keys.kek.keys.${id}" expected ${KEY_LENGTH} bytes`);
    }
    raw.set(id, Uint8Array.from(key));
  }
  if (typeof current !== 'string' || !raw.has(current)) throw serverError('ERR_SERVER_CONFIG', '"keys.kek.current" must name one of "keys.kek.keys"');
  const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (!subtle || typeof subtle.encrypt !== 'function') {
    throw serverError('ERR_SERVER_CONFIG', 'AES-GCM needs crypto.subtle (Node >= 20, Deno, Bun, browsers, edge runtimes)');
  }
  const imported = new Map<string, Promise<CryptoKey>>();
  const cryptoKey = (id: string): Promise<CryptoKey> => {
    let p = imported.get(id);
    if (!p) {
      const bytes = raw.get(id) as Uint8Array;
      p = subtle.importKey('raw', view(bytes), 'AES-GCM', false, ['encrypt', 'decrypt']);
      imported.set(id, p);
    }
    return p;
  };

  return Object.freeze({
    currentId: current,
    keyIdOf: (blob: Uint8Array) => parseHeader(blob)?.keyId ?? null,
    isCurrent: (blob: Uint8Array) => parseHeader(blob)?.keyId === current && blob[0] === FORMAT_VERSION,
    mac(label: string, message: Uint8Array, keyId: string = current) {
      const k = raw.get(keyId);
      if (!k) return null;
      const derived = crypto.hmac('SHA256', k, utf8Encode(`cloudmfa/server/mac/${label}/v1`));
      try {
        return { keyId, mac: crypto.hmac('SHA256', derived, message) };
      } finally {
        derived.fill(0);
      }
    },
    async seal(kind: SecretKind, plaintext: Uint8Array, binding: SecretBinding): Promise<Uint8Array> {
      const kid = utf8Encode(current);
      const header = concatBytes(new Uint8Array([FORMAT_VERSION, kid.length]), kid);
      const nonce = random(NONCE_LENGTH);
      const body = concatBytes(new Uint8Array([KIND_BYTE[kind]]), plaintext);
      try {
        const ct = new Uint8Array(
          await subtle.encrypt({ name: 'AES-GCM', iv: view(nonce), additionalData: view(aad(header, binding)), tagLength: 128 }, await cryptoKey(current), view(body)),
        );
        return concatBytes(header, nonce, ct);
      } finally {
        body.fill(0);
      }
    },
    async open(blob: Uint8Array, binding: SecretBinding) {
      const parsed = parseHeader(blob);
      if (!parsed) throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      if (!raw.has(parsed.keyId)) throw serverError('ERR_SERVER_KEY_UNKNOWN', 'a stored secret names a key-encryption key id that is not configured');
      const header = blob.subarray(0, parsed.headerLength);
      const nonce = blob.subarray(parsed.headerLength, parsed.headerLength + NONCE_LENGTH);
      const ct = blob.subarray(parsed.headerLength + NONCE_LENGTH);
      let pt: Uint8Array;
      try {
        pt = new Uint8Array(
          await subtle.decrypt(
            { name: 'AES-GCM', iv: view(nonce.slice()), additionalData: view(aad(header, binding)), tagLength: 128 },
            await cryptoKey(parsed.keyId),
            view(ct.slice()),
          ),
        );
      } catch {
        // No cause: WebCrypto's error says nothing useful and nothing should travel.
        throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      }
      const kind: SecretKind | null = pt[0] === 0x01 ? 'activation' : pt[0] === 0x02 ? 'seed' : null;
      if (kind === null || pt.length < 2) {
        pt.fill(0);
        throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      }
      const bytes = pt.slice(1);
      pt.fill(0);
      return { kind, bytes, keyId: parsed.keyId };
    },
  });
}
