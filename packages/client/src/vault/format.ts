// The sealed record shared by the vault and the backup (docs/protocol/vault.md sections 2-4).
// Internal: not re-exported. Parsing never throws: it returns a typed failure the caller maps
// to its own error codes, so the vault and the backup can word their errors differently.
import { concatBytes, constantTimeEqual } from '@cloudmfa/core';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@cloudmfa/core/sha';

/** "CMFV": CloudMFA vault record. */
const RECORD_MAGIC: readonly number[] = [0x43, 0x4d, 0x46, 0x56];
const FORMAT_VERSION = 1;
export const KIND_VAULT = 1;
export const KIND_BACKUP = 2;

export const SLOT_DEVICE = 1;
export const SLOT_PIN = 2;
export const SLOT_BIOMETRIC = 3;
export const SLOT_PASSWORD = 4;
type SlotType = 1 | 2 | 3 | 4;

const KDF_SCRYPT = 1;
export const KEY_LENGTH = 32;
export const NONCE_LENGTH = 24;
const TAG_LENGTH = 16;
export const SALT_LENGTH = 16;
const WRAPPED_LENGTH = KEY_LENGTH + TAG_LENGTH;
const CHECKSUM_LENGTH = 32;

const PREFIX_LENGTH = 7; // magic(4) version(1) kind(1) slotCount(1)
const MAX_SLOTS = 4;

/** scrypt parameters as stored: N = 2^log2N, dkLen is always 32. */
export interface StoredKdf {
  log2N: number;
  r: number;
  p: number;
  salt: Uint8Array;
}

export interface Slot {
  type: SlotType;
  /** Present for PIN and password slots. */
  kdf?: StoredKdf;
  nonce: Uint8Array;
  wrapped: Uint8Array;
}

export interface RecordParts {
  kind: number;
  slots: Slot[];
  headerNonce: Uint8Array;
  sealedKey: Uint8Array;
  contentsNonce: Uint8Array;
  contentsCiphertext: Uint8Array;
}

export interface ParsedRecord extends RecordParts {
  /** The header bytes: the associated data of `sealedKey`. */
  header: Uint8Array;
}

export type ParseFailure = 'format' | 'damaged' | 'version';

// ---------------------------------------------------------------------------------------------
// AEAD

export function seal(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return xchacha20poly1305(key, nonce, ad).encrypt(plaintext);
}

/** The plaintext, or `undefined` when the tag does not verify (no detail, on purpose). */
function open(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  try {
    return xchacha20poly1305(key, nonce, ad).decrypt(sealed);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

function prefix(kind: number): Uint8Array {
  return Uint8Array.from([...RECORD_MAGIC, FORMAT_VERSION, kind]);
}

/** The slot's descriptor: its type and, for KDF slots, the KDF parameters and salt. */
function slotDescriptor(slot: Pick<Slot, 'type' | 'kdf'>): Uint8Array {
  if (slot.kdf === undefined) return Uint8Array.of(slot.type);
  const { log2N, r, p, salt } = slot.kdf;
  return concatBytes(Uint8Array.of(slot.type, KDF_SCRYPT, log2N, r, p), salt);
}

/** Associated data of a slot's wrap: the record prefix and the slot's own descriptor. */
function slotAd(kind: number, slot: Pick<Slot, 'type' | 'kdf'>): Uint8Array {
  return concatBytes(prefix(kind), slotDescriptor(slot));
}

/** Associated data of the contents: the record prefix (magic, version, kind). */
export function contentsAd(kind: number): Uint8Array {
  return prefix(kind);
}

function encodeHeader(kind: number, slots: readonly Slot[], headerNonce: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [prefix(kind), Uint8Array.of(slots.length)];
  for (const slot of slots) parts.push(slotDescriptor(slot), slot.nonce, slot.wrapped);
  parts.push(headerNonce);
  return concatBytes(...parts);
}

/** The full record: header, sealed contents key, contents, SHA-256 checksum. */
export function encodeRecord(parts: RecordParts): Uint8Array {
  const body = concatBytes(
    encodeHeader(parts.kind, parts.slots, parts.headerNonce),
    parts.sealedKey,
    parts.contentsNonce,
    parts.contentsCiphertext,
  );
  return concatBytes(body, sha256(body));
}

// ---------------------------------------------------------------------------------------------
// Decoding

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && RECORD_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Parses a record. Order matters (spec section 4): magic, then the checksum over everything
 * (any accidental change is `damaged`), then the version, then the structure. The slot rules
 * of the kind are checked by the caller.
 */
export function parseRecord(bytes: Uint8Array, expectedKind: number): { ok: true; record: ParsedRecord } | { ok: false; reason: ParseFailure } {
  if (!hasMagic(bytes)) return { ok: false, reason: 'format' };
  if (bytes.length < PREFIX_LENGTH + CHECKSUM_LENGTH) return { ok: false, reason: 'damaged' };
  const body = bytes.subarray(0, bytes.length - CHECKSUM_LENGTH);
  if (!constantTimeEqual(sha256(body), bytes.subarray(bytes.length - CHECKSUM_LENGTH))) return { ok: false, reason: 'damaged' };
  if (body[4] !== FORMAT_VERSION) return { ok: false, reason: 'version' };
  const kind = body[5] as number;
  if (kind !== expectedKind) return { ok: false, reason: 'format' };
  const count = body[6] as number;
  if (count < 1 || count > MAX_SLOTS) return { ok: false, reason: 'damaged' };
  let at = PREFIX_LENGTH;
  const take = (n: number): Uint8Array | undefined => {
    if (at + n > body.length) return undefined;
    const out = body.slice(at, at + n);
    at += n;
    return out;
  };
  const slots: Slot[] = [];
  for (let i = 0; i < count; i++) {
    const type = take(1)?.[0];
    if (type === undefined || type < SLOT_DEVICE || type > SLOT_PASSWORD) return { ok: false, reason: 'damaged' };
    let kdf: StoredKdf | undefined;
    if (type === SLOT_PIN || type === SLOT_PASSWORD) {
      const k = take(4);
      const salt = take(SALT_LENGTH);
      if (k === undefined || salt === undefined || k[0] !== KDF_SCRYPT) return { ok: false, reason: 'damaged' };
      kdf = { log2N: k[1] as number, r: k[2] as number, p: k[3] as number, salt };
    }
    const nonce = take(NONCE_LENGTH);
    const wrapped = take(WRAPPED_LENGTH);
    if (nonce === undefined || wrapped === undefined) return { ok: false, reason: 'damaged' };
    slots.push(kdf === undefined ? { type: type as SlotType, nonce, wrapped } : { type: type as SlotType, kdf, nonce, wrapped });
  }
  const headerNonce = take(NONCE_LENGTH);
  if (headerNonce === undefined) return { ok: false, reason: 'damaged' };
  const header = body.slice(0, at);
  const sealedKey = take(WRAPPED_LENGTH);
  const contentsNonce = take(NONCE_LENGTH);
  if (sealedKey === undefined || contentsNonce === undefined || body.length - at < TAG_LENGTH) return { ok: false, reason: 'damaged' };
  const contentsCiphertext = body.slice(at);
  return { ok: true, record: { kind, slots, headerNonce, header, sealedKey, contentsNonce, contentsCiphertext } };
}

// ---------------------------------------------------------------------------------------------
// Sealing and opening with a master key

/** Seals the contents key under the master key, the whole header as associated data. */
function sealContentsKey(masterKey: Uint8Array, header: Uint8Array, headerNonce: Uint8Array, contentsKey: Uint8Array): Uint8Array {
  return seal(masterKey, headerNonce, header, contentsKey);
}

export interface Opened {
  contentsKey: Uint8Array;
  contents: Uint8Array;
}

/** Opens the contents key (header check) and the contents; `undefined` on any tag failure. */
export function openWithMasterKey(record: ParsedRecord, masterKey: Uint8Array): Opened | undefined {
  const contentsKey = open(masterKey, record.headerNonce, record.header, record.sealedKey);
  if (contentsKey === undefined) return undefined;
  const contents = open(contentsKey, record.contentsNonce, contentsAd(record.kind), record.contentsCiphertext);
  if (contents === undefined) return undefined;
  return { contentsKey, contents };
}

export function wrapKey(slotKey: Uint8Array, nonce: Uint8Array, kind: number, slot: Pick<Slot, 'type' | 'kdf'>, masterKey: Uint8Array): Slot {
  const wrapped = seal(slotKey, nonce, slotAd(kind, slot), masterKey);
  return slot.kdf === undefined ? { type: slot.type, nonce, wrapped } : { type: slot.type, kdf: slot.kdf, nonce, wrapped };
}

export function unwrapKey(slotKey: Uint8Array, kind: number, slot: Slot): Uint8Array | undefined {
  const mk = open(slotKey, slot.nonce, slotAd(kind, slot), slot.wrapped);
  return mk !== undefined && mk.length === KEY_LENGTH ? mk : undefined;
}

export interface SealInput {
  kind: number;
  slots: Slot[];
  masterKey: Uint8Array;
  contentsKey: Uint8Array;
  headerNonce: Uint8Array;
  contentsNonce: Uint8Array;
  contents: Uint8Array;
}

/** A whole new record (new contents ciphertext). */
export function sealRecord(input: SealInput): { bytes: Uint8Array; record: ParsedRecord } {
  const contentsCiphertext = seal(input.contentsKey, input.contentsNonce, contentsAd(input.kind), input.contents);
  return resealHeader({ ...input, contentsCiphertext });
}

/** A record with new slots and header nonce around an unchanged contents ciphertext. */
export function resealHeader(input: Omit<SealInput, 'contents'> & { contentsCiphertext: Uint8Array }): { bytes: Uint8Array; record: ParsedRecord } {
  const header = encodeHeader(input.kind, input.slots, input.headerNonce);
  const sealedKey = sealContentsKey(input.masterKey, header, input.headerNonce, input.contentsKey);
  const parts: RecordParts = {
    kind: input.kind,
    slots: input.slots,
    headerNonce: input.headerNonce,
    sealedKey,
    contentsNonce: input.contentsNonce,
    contentsCiphertext: input.contentsCiphertext,
  };
  return { bytes: encodeRecord(parts), record: { ...parts, header } };
}

/** First `n` bytes of SHA-256. */
export function shortHash(bytes: Uint8Array, n: number): Uint8Array {
  return sha256(bytes).slice(0, n);
}
