// The Google Authenticator migration exporter's half (server side, `@cloudmfa/otp/server`):
// the enums it writes, the protobuf writer and the standard base64 encoder. Kept apart from
// `_migration.ts` / `_protobuf.ts` so the phone's importer (`@cloudmfa/otp/migration`) does not
// carry them: Metro does not tree-shake a shared chunk.
import { encodeBase64Url } from '@cloudmfa/core';
import { P32 } from './_common.js';
import { WIRE_LEN } from './_protobuf.js';

/** Algorithm enum: 0 UNSPECIFIED (read as SHA1), 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5 (refused). */
export const ALGORITHM_ENUM = { SHA1: 1, SHA256: 2, SHA512: 3 } as const;
/** DigitCount enum: 0 UNSPECIFIED (read as 6), 1 SIX, 2 EIGHT. OtpType: 1 HOTP, 2 TOTP. */
export const DIGITS_ENUM: Record<number, number> = { 6: 1, 8: 2 };

export const MIGRATION_PREFIX = 'otpauth-migration://offline?data=';

export function encodeBase64(bytes: Uint8Array): string {
  const t = encodeBase64Url(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return t + '='.repeat((4 - (t.length % 4)) % 4);
}

export class Writer {
  readonly out: number[] = [];

  private varint(hi: number, lo: number): void {
    while (hi || lo > 0x7f) {
      this.out.push((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.out.push(lo);
  }

  /** A varint field: an integer 0..2^53-1, or a negative int32 (sign-extended to 64 bits). */
  int(field: number, n: number): void {
    this.varint(0, field << 3);
    this.varint(n < 0 ? 0xffffffff : Math.floor(n / P32), n >>> 0);
  }

  bytes(field: number, data: ArrayLike<number>): void {
    this.varint(0, (field << 3) | WIRE_LEN);
    this.varint(0, data.length);
    for (let i = 0; i < data.length; i++) this.out.push(data[i] as number);
  }
}
