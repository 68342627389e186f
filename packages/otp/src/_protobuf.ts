// A tiny, hand-written protobuf reader and writer: just what the Google Authenticator
// MigrationPayload needs (varints, length-delimited fields, skipping unknown fields of wire
// types 0, 1, 2 and 5). No protobuf library, no BigInt: 64-bit varints are two 32-bit halves.
// Every malformed input fails with a typed code: ERR_MIGRATION_VARINT for a truncated,
// over-long or over-64-bit varint, ERR_MIGRATION_PROTOBUF for everything else.
import { fail, P32 } from './_common.js';

export const WIRE_VARINT = 0;
export const WIRE_LEN = 2;

export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

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
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (i === 9 && b > 1) fail('ERR_MIGRATION_VARINT', 'varint exceeds 64 bits');
      if ((b & 0x80) === 0) return [hi >>> 0, lo >>> 0];
    }
    return fail('ERR_MIGRATION_VARINT', 'varint longer than 10 bytes');
  }

  /** A field tag: [field number, wire type]. */
  tag(): [number, number] {
    const [hi, lo] = this.varint();
    const field = lo >>> 3;
    if (hi !== 0 || field === 0) fail('ERR_MIGRATION_PROTOBUF', 'invalid field number');
    return [field, lo & 7];
  }

  /** The bounds of a length-delimited field's contents. */
  bytes(): [number, number] {
    const [hi, lo] = this.varint();
    if (hi !== 0 || lo > this.end - this.pos) fail('ERR_MIGRATION_PROTOBUF', 'length-delimited field runs past the end');
    const start = this.pos;
    this.pos += lo;
    return [start, this.pos];
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.bytes();
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (this.end - this.pos < n) fail('ERR_MIGRATION_PROTOBUF', 'fixed-size field runs past the end');
      this.pos += n;
    } else fail('ERR_MIGRATION_PROTOBUF', `unsupported wire type ${wire}`);
  }
}

/** int32 semantics: the low 32 bits, signed. */
export const int32 = ([, lo]: [number, number]): number => lo | 0;

/** A non-negative 64-bit varint as a number, or -1 when it is 2^53 or more (or negative). */
export function uint53([hi, lo]: [number, number]): number {
  return hi >= 0x200000 ? -1 : hi * P32 + lo;
}

export class Writer {
  private readonly out: number[] = [];

  private varint64(hi: number, lo: number): void {
    while (hi !== 0 || lo >= 0x80) {
      this.out.push((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.out.push(lo);
  }

  /** A varint field holding a non-negative integer up to 2^53 - 1, or a negative int32. */
  int(field: number, n: number): void {
    this.varint64(0, (field << 3) | WIRE_VARINT);
    if (n < 0) this.varint64(0xffffffff, n >>> 0);
    else this.varint64(Math.floor(n / P32), n >>> 0);
  }

  bytes(field: number, data: Uint8Array | number[]): void {
    this.varint64(0, (field << 3) | WIRE_LEN);
    this.varint64(0, data.length);
    for (let i = 0; i < data.length; i++) this.out.push(data[i] as number);
  }

  get length(): number {
    return this.out.length;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
