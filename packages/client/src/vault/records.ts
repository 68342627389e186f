// The small host-store records next to the vault: the generation pointer and the PIN attempt
// counter (docs/protocol/vault.md sections 6 and 7). Internal.
import { concatBytes, constantTimeEqual } from '@cloudmfa/core';
import { shortHash } from './format.js';

const POINTER_MAGIC = [0x43, 0x4d, 0x46, 0x50]; // "CMFP"
const COUNTER_MAGIC = [0x43, 0x4d, 0x46, 0x43]; // "CMFC"
const RECORD_VERSION = 1;
export const RECORD_HASH_LENGTH = 16;
const CHECK_LENGTH = 4;

export interface Pointer {
  /** Which generation key holds the current record: 0 or 1. */
  which: 0 | 1;
  /** Counts commits; informational (the pointer, not the number, decides). */
  generation: number;
  /** First 16 bytes of SHA-256 of the current record. */
  recordHash: Uint8Array;
}

export interface Counter {
  failed: number;
  /** ms of the last counted attempt (0 when none). */
  lastAt: number;
}

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

function readU32(b: Uint8Array, at: number): number {
  return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
}

function withCheck(body: Uint8Array): Uint8Array {
  return concatBytes(body, shortHash(body, CHECK_LENGTH));
}

function checked(bytes: Uint8Array, magic: number[], length: number): Uint8Array | undefined {
  if (bytes.length !== length) return undefined;
  const body = bytes.subarray(0, length - CHECK_LENGTH);
  if (!constantTimeEqual(shortHash(body, CHECK_LENGTH), bytes.subarray(length - CHECK_LENGTH))) return undefined;
  if (!magic.every((m, i) => body[i] === m) || body[4] !== RECORD_VERSION) return undefined;
  return body;
}

const POINTER_LENGTH = 4 + 1 + 1 + 4 + RECORD_HASH_LENGTH + CHECK_LENGTH;

export function encodePointer(p: Pointer): Uint8Array {
  return withCheck(concatBytes(Uint8Array.from(POINTER_MAGIC), Uint8Array.of(RECORD_VERSION, p.which), u32(p.generation), p.recordHash));
}

export function decodePointer(bytes: Uint8Array): Pointer | undefined {
  const body = checked(bytes, POINTER_MAGIC, POINTER_LENGTH);
  if (body === undefined) return undefined;
  const which = body[5];
  if (which !== 0 && which !== 1) return undefined;
  return { which, generation: readU32(body, 6), recordHash: body.slice(10, 10 + RECORD_HASH_LENGTH) };
}

const COUNTER_LENGTH = 4 + 1 + 4 + 8 + CHECK_LENGTH;

export function encodeCounter(c: Counter): Uint8Array {
  const time = new Uint8Array(8);
  new DataView(time.buffer).setFloat64(0, c.lastAt);
  return withCheck(concatBytes(Uint8Array.from(COUNTER_MAGIC), Uint8Array.of(RECORD_VERSION), u32(c.failed), time));
}

export function decodeCounter(bytes: Uint8Array): Counter | undefined {
  const body = checked(bytes, COUNTER_MAGIC, COUNTER_LENGTH);
  if (body === undefined) return undefined;
  const lastAt = new DataView(body.buffer, body.byteOffset + 9, 8).getFloat64(0);
  if (!Number.isFinite(lastAt)) return undefined;
  return { failed: readU32(body, 5), lastAt };
}
