// A tiny, hand-written protobuf reader (the writer is in _migrationWriter.ts, server side):
// just what the Google Authenticator MigrationPayload needs (varints, length-delimited fields,
// skipping unknown fields of wire types 0, 1, 2 and 5). No protobuf library, no BigInt: 64-bit
// varints are two 32-bit halves.
// Malformed input fails with a typed code: ERR_MIGRATION_VARINT for a truncated, over-long or
// over-64-bit varint, ERR_MIGRATION_PROTOBUF for everything else.
import { fail, P32 } from './_common.js';

export const WIRE_VARINT = 0;
export const WIRE_LEN = 2;

export class Reader {
  constructor(
    private readonly buf: Uint8Array,
    private pos: number,
    private readonly end: number,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as [hi, lo] unsigned 32-bit halves. */
  varint(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) fail('ERR_MIGRATION_VARINT', 'truncated varint');
      const b = this.buf[this.pos++] as number;
      // Bits 0-27 go to lo, 28-31 to lo's top, 32-63 to hi; a 10th byte may only hold bit 63.
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (i === 9 && b > 1) fail('ERR_MIGRATION_VARINT', 'varint beyond 64 bits');
      if (b < 0x80) return [hi >>> 0, lo >>> 0];
    }
    return fail('ERR_MIGRATION_VARINT', 'varint over 10 bytes');
  }

  /** A field tag: [field number, wire type]. */
  tag(): [number, number] {
    const [hi, lo] = this.varint();
    if (hi || lo < 8) fail('ERR_MIGRATION_PROTOBUF', 'invalid field number');
    return [lo >>> 3, lo & 7];
  }

  /** The [start, end) of a length-delimited field's contents. */
  bytes(): [number, number] {
    const [hi, lo] = this.varint();
    const start = this.pos;
    if (hi || lo > this.end - start) fail('ERR_MIGRATION_PROTOBUF', 'field runs past the end');
    this.pos += lo;
    return [start, this.pos];
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.bytes();
    else if (wire === 1 || wire === 5) {
      this.pos += wire === 1 ? 8 : 4;
      if (this.pos > this.end) fail('ERR_MIGRATION_PROTOBUF', 'field runs past the end');
    } else fail('ERR_MIGRATION_PROTOBUF', `unsupported wire type ${wire}`);
  }
}

/** int32 semantics: the low 32 bits, signed. */
export const int32 = ([, lo]: [number, number]): number => lo | 0;

/** A non-negative 64-bit varint as a number, or -1 when it is 2^53 or more (or negative). */
export const uint53 = ([hi, lo]: [number, number]): number => (hi >= 0x200000 ? -1 : hi * P32 + lo);
