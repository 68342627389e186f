// Seeds at rest by envelope encryption (docs/server.md section 2): each secret sealed with
// AES-256-GCM under a fresh data key, the data key wrapped by the KEK provider; formats 0x01
// and 0x02 (sealed directly under an in-memory KEK) still open through the key ring.
import { CloudMfaError, type Clock, concatBytes, constantTimeEqualString, type CryptoProvider, decodeBase64Url, encodeBase64Url, isCloudMfaError, type RandomSource, utf8Encode } from '@cloudmfa/core';
import type { DataKeyCacheOptions, KekProvider } from '../types.js';
import { createDataKeyCache } from './dataKeyCache.js';
import { DECRYPT_MESSAGE, serverError } from './errors.js';
import { nativeAesGcmOpen } from './nodeAesGcm.js';
import {
  AAD_LABEL,
  DATA_KEY_LENGTH,
  KEY_ID,
  KIND_BYTE,
  lpConcat,
  type MemoryKeyRing,
  NONCE_LENGTH,
  readKeyId,
  readPlaintext,
  type SecretBinding,
  type SecretKind,
  subtleOrThrow,
  TAG_LENGTH,
  view,
} from './keyRing.js';

const FORMAT = 0x03;
const MAX_WRAPPED = 1024;
const WRAP_LABEL = utf8Encode('cloudmfa/server/data-key/v1\u0000');
const NUMBER_KEY_LABEL = utf8Encode('cloudmfa/server/number-key/v1\u0000');
const NUMBER_MAC_LABEL = 'push-number';
const UNKNOWN_MESSAGE = 'a stored secret names a key-encryption key id that is not configured';
const UNAVAILABLE_MESSAGE = 'the key-encryption key provider could not be reached';

export type { SecretBinding, SecretKind } from './keyRing.js';

/** A challenge's stored number MAC and the wrapped data key it was made with. */
interface NumberMac {
  numberMac: string;
  numberKeyId: string;
  /** base64url of `u8(len(kid)) || kid || wrapped` (absent on challenges written before envelopes). */
  numberKey?: string;
}

export interface KeyRing {
  readonly currentId: string;
  seal(kind: SecretKind, plaintext: Uint8Array, binding: SecretBinding): Promise<Uint8Array>;
  open(blob: Uint8Array, binding: SecretBinding): Promise<{ kind: SecretKind; bytes: Uint8Array; keyId: string }>;
  /** The KEK id in a blob's header, or `null` when the header does not parse. */
  keyIdOf(blob: Uint8Array): string | null;
  /** True when the blob is in format 0x03 with its data key wrapped by the current KEK. */
  isCurrent(blob: Uint8Array): boolean;
  /**
   * A 0x03 blob with its data key re-wrapped under the current KEK (the sealed secret is not
   * decrypted), or `null` when the blob is in an older format (open and seal it instead).
   */
  rewrap(blob: Uint8Array, binding: SecretBinding): Promise<Uint8Array | null>;
  /** The MAC to store for a challenge's number (a database reader cannot read the number). */
  numberMac(challengeId: string, number: string): Promise<NumberMac>;
  /** Whether `answered` is the number whose MAC is stored, compared in constant time. */
  checkNumber(challengeId: string, answered: string, stored: NumberMac): Promise<boolean>;
}

interface Header {
  keyId: string;
  wrapped: Uint8Array;
  /** Offset of the nonce. */
  end: number;
}

function parseHeader(blob: Uint8Array): Header | null {
  if (!(blob instanceof Uint8Array) || blob[0] !== FORMAT) return null;
  const keyId = readKeyId(blob, 1);
  if (keyId === null) return null;
  const at = 2 + keyId.length;
  if (blob.length < at + 2) return null;
  const n = ((blob[at] as number) << 8) | (blob[at + 1] as number);
  const end = at + 2 + n;
  if (n < 1 || n > MAX_WRAPPED || blob.length < end + NONCE_LENGTH + TAG_LENGTH + 1) return null;
  return { keyId, wrapped: blob.subarray(at + 2, end), end };
}

function header(keyId: string, wrapped: Uint8Array): Uint8Array {
  const kid = utf8Encode(keyId);
  return concatBytes(new Uint8Array([FORMAT, kid.length]), kid, new Uint8Array([wrapped.length >>> 8, wrapped.length & 0xff]), wrapped);
}

const isLegacy = (blob: Uint8Array) => blob instanceof Uint8Array && (blob[0] === 0x01 || blob[0] === 0x02);

const wrapAad = (label: Uint8Array, id: string) => lpConcat(label, id);

const SEAL_AAD_HEAD = concatBytes(AAD_LABEL, new Uint8Array([0, FORMAT]));
const sealAad = (binding: SecretBinding): Uint8Array => lpConcat(SEAL_AAD_HEAD, binding.enrolmentId, binding.userId, binding.attributes);

/** Provider errors as docs/server.md 2.1 says: three codes, fixed messages, no foreign cause. */
function providerError(e: unknown): CloudMfaError {
  if (isCloudMfaError(e, 'ERR_SERVER_DECRYPT')) return serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
  if (isCloudMfaError(e, 'ERR_SERVER_KEY_UNKNOWN')) return serverError('ERR_SERVER_KEY_UNKNOWN', UNKNOWN_MESSAGE);
  // The SDK's own providers (a key ring, @cloudmfa/kek-pkcs11) say which call failed, never a key.
  if (isCloudMfaError(e, 'ERR_KEK_UNAVAILABLE')) return new CloudMfaError('ERR_KEK_UNAVAILABLE', UNAVAILABLE_MESSAGE, { cause: e });
  return new CloudMfaError('ERR_KEK_UNAVAILABLE', UNAVAILABLE_MESSAGE);
}

export interface SealingOptions {
  provider: KekProvider;
  /** The ring that opens formats 0x01/0x02 (and 0x03 wrapped by it), if any. */
  legacy: MemoryKeyRing | null;
  cache: DataKeyCacheOptions | undefined;
  clock: Clock;
  random: RandomSource;
  crypto: CryptoProvider;
}

export function createSealing({ provider, legacy, cache: cacheOptions, clock, random, crypto }: SealingOptions): KeyRing {
  if (typeof provider !== 'object' || provider === null || typeof provider.wrapKey !== 'function' || typeof provider.unwrapKey !== 'function') {
    throw serverError('ERR_SERVER_CONFIG', '"keys.kek" expected { current, keys } or a KekProvider');
  }
  const current = provider.currentKeyId;
  if (typeof current !== 'string' || !KEY_ID.test(current)) throw serverError('ERR_SERVER_CONFIG', '"keys.kek.currentKeyId" expected ^[A-Za-z0-9._-]{1,64}$');
  const subtle = subtleOrThrow();
  const cache = createDataKeyCache(cacheOptions, clock);
  const native = nativeAesGcmOpen();

  const wrap = async (dataKey: Uint8Array, associatedData: Uint8Array): Promise<{ keyId: string; wrappedKey: Uint8Array }> => {
    let out: { keyId: string; wrappedKey: Uint8Array };
    // The provider gets its own copy, zeroed when it answers (it must not keep it).
    const copy = dataKey.slice();
    try {
      out = await provider.wrapKey({ dataKey: copy, associatedData: associatedData.slice() });
    } catch (e) {
      throw providerError(e);
    } finally {
      copy.fill(0);
    }
    const { keyId, wrappedKey } = (out ?? {}) as Partial<typeof out>;
    if (typeof keyId !== 'string' || !KEY_ID.test(keyId) || !(wrappedKey instanceof Uint8Array) || wrappedKey.length < 1 || wrappedKey.length > MAX_WRAPPED) {
      throw new CloudMfaError('ERR_KEK_UNAVAILABLE', 'the key-encryption key provider returned no key id or a wrapped key outside 1..1024 bytes');
    }
    return { keyId, wrappedKey: Uint8Array.from(wrappedKey) };
  };

  // Unwrap: the legacy ring for the key ids only it holds (a migration), else the provider.
  const unwrapRaw = async (keyId: string, wrappedKey: Uint8Array, associatedData: Uint8Array): Promise<Uint8Array> => {
    const via = legacy && legacy.provider !== provider && keyId !== current && legacy.has(keyId) ? legacy.provider : provider;
    let key: Uint8Array;
    try {
      key = await via.unwrapKey({ keyId, wrappedKey: wrappedKey.slice(), associatedData: associatedData.slice() });
    } catch (e) {
      throw providerError(e);
    }
    if (!(key instanceof Uint8Array) || key.length !== DATA_KEY_LENGTH) {
      if (key instanceof Uint8Array) key.fill(0);
      throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
    }
    return key;
  };

  const importKey = async (raw: Uint8Array): Promise<CryptoKey> => {
    try {
      return await subtle.importKey('raw', view(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
    } finally {
      raw.fill(0);
    }
  };

  const dataKeyOf = (h: Header, binding: SecretBinding): Promise<CryptoKey> => {
    // The cache entry covers everything the unwrap depended on: the KEK id and the enrolment id
    // of wrapAad in its key, the wrapped key (at most 1024 bytes) compared on a hit. No hash
    // and no encoding: this runs on every verify.
    return cache.get(`${h.keyId}\u0000${binding.enrolmentId}`, h.wrapped, async () =>
      importKey(await unwrapRaw(h.keyId, h.wrapped, wrapAad(WRAP_LABEL, binding.enrolmentId))),
    );
  };

  return Object.freeze({
    currentId: current,
    keyIdOf: (blob: Uint8Array) => parseHeader(blob)?.keyId ?? (isLegacy(blob) ? readKeyId(blob, 1) : null),
    isCurrent: (blob: Uint8Array) => parseHeader(blob)?.keyId === current,

    async seal(kind: SecretKind, plaintext: Uint8Array, binding: SecretBinding): Promise<Uint8Array> {
      const raw = random(DATA_KEY_LENGTH);
      const body = concatBytes(new Uint8Array([KIND_BYTE[kind]]), plaintext);
      try {
        const { keyId, wrappedKey } = await wrap(raw, wrapAad(WRAP_LABEL, binding.enrolmentId));
        const nonce = random(NONCE_LENGTH);
        const key = await importKey(raw);
        const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: view(nonce), additionalData: view(sealAad(binding)), tagLength: 128 }, key, view(body)));
        return concatBytes(header(keyId, wrappedKey), nonce, ct);
      } finally {
        raw.fill(0);
        body.fill(0);
      }
    },

    async open(blob: Uint8Array, binding: SecretBinding) {
      const h = parseHeader(blob);
      if (!h) {
        const old = legacy ? await legacy.openLegacy(blob, binding) : null;
        if (old) return old;
        // A 0x01/0x02 blob with no key ring to open it: its KEK is not configured.
        if (isLegacy(blob) && readKeyId(blob, 1) !== null) throw serverError('ERR_SERVER_KEY_UNKNOWN', UNKNOWN_MESSAGE);
        throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      }
      const key = await dataKeyOf(h, binding);
      const aad = sealAad(binding);
      let pt: Uint8Array | null = null;
      // The runtime's native AES-GCM on the same key where it has one (nodeAesGcm.ts). What it
      // refuses, or cannot do, WebCrypto decides: a runtime whose node:crypto differs in some
      // way fails no verify for it, and a forged blob costs the second decryption.
      try {
        pt = native ? native(key, blob.subarray(h.end, h.end + NONCE_LENGTH), aad, blob.subarray(h.end + NONCE_LENGTH)) : null;
      } catch {
        pt = null;
      }
      try {
        pt ??= new Uint8Array(
          await subtle.decrypt(
            { name: 'AES-GCM', iv: view(blob.slice(h.end, h.end + NONCE_LENGTH)), additionalData: view(aad), tagLength: 128 },
            key,
            view(blob.slice(h.end + NONCE_LENGTH)),
          ),
        );
      } catch {
        throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
      }
      const { kind, bytes } = readPlaintext(pt);
      return { kind, bytes, keyId: h.keyId };
    },

    async rewrap(blob: Uint8Array, binding: SecretBinding): Promise<Uint8Array | null> {
      const h = parseHeader(blob);
      if (!h) return null;
      const aad = wrapAad(WRAP_LABEL, binding.enrolmentId);
      const raw = await unwrapRaw(h.keyId, h.wrapped, aad);
      try {
        // Check the data key opens this blob before it is re-wrapped: a re-wrap never launders a forged row.
        const key = await subtle.importKey('raw', view(raw), 'AES-GCM', false, ['decrypt']);
        try {
          new Uint8Array(
            await subtle.decrypt(
              { name: 'AES-GCM', iv: view(blob.slice(h.end, h.end + NONCE_LENGTH)), additionalData: view(sealAad(binding)), tagLength: 128 },
              key,
              view(blob.slice(h.end + NONCE_LENGTH)),
            ),
          ).fill(0);
        } catch {
          throw serverError('ERR_SERVER_DECRYPT', DECRYPT_MESSAGE);
        }
        const { keyId, wrappedKey } = await wrap(raw, aad);
        return concatBytes(header(keyId, wrappedKey), blob.subarray(h.end));
      } finally {
        raw.fill(0);
      }
    },

    async numberMac(challengeId: string, number: string): Promise<NumberMac> {
      const raw = random(DATA_KEY_LENGTH);
      try {
        const { keyId, wrappedKey } = await wrap(raw, wrapAad(NUMBER_KEY_LABEL, challengeId));
        const kid = utf8Encode(keyId);
        return {
          numberMac: encodeBase64Url(macWith(crypto, raw, challengeId, number)),
          numberKeyId: keyId,
          numberKey: encodeBase64Url(concatBytes(new Uint8Array([kid.length]), kid, wrappedKey)),
        };
      } finally {
        raw.fill(0);
      }
    },

    async checkNumber(challengeId: string, answered: string, stored: NumberMac): Promise<boolean> {
      let mac: Uint8Array | null;
      if (stored.numberKey === undefined) {
        mac = legacy ? legacy.legacyMac(NUMBER_MAC_LABEL, utf8Encode(`${challengeId}\u0000${answered}`), stored.numberKeyId) : null;
      } else {
        let packed: Uint8Array;
        try {
          packed = decodeBase64Url(stored.numberKey);
        } catch {
          throw serverError('ERR_SERVER_CORRUPT', 'a push challenge record has metadata this server did not write');
        }
        const keyId = readKeyId(packed, 0);
        if (keyId === null || keyId !== stored.numberKeyId || packed.length <= 1 + keyId.length) {
          throw serverError('ERR_SERVER_CORRUPT', 'a push challenge record has metadata this server did not write');
        }
        const raw = await unwrapRaw(keyId, packed.subarray(1 + keyId.length), wrapAad(NUMBER_KEY_LABEL, challengeId));
        try {
          mac = macWith(crypto, raw, challengeId, answered);
        } finally {
          raw.fill(0);
        }
      }
      return mac !== null && constantTimeEqualString(encodeBase64Url(mac), stored.numberMac);
    },
  });
}

function macWith(crypto: CryptoProvider, dataKey: Uint8Array, challengeId: string, number: string): Uint8Array {
  const derived = crypto.hmac('SHA256', dataKey, utf8Encode(`cloudmfa/server/mac/${NUMBER_MAC_LABEL}/v1`));
  try {
    return crypto.hmac('SHA256', derived, utf8Encode(`${challengeId}\u0000${number}`));
  } finally {
    derived.fill(0);
  }
}
