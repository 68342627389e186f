// Minimal big-endian byte writer/reader for the v1 formats. The reader never reads past its
// input: a short read calls the caller's `fail`, which throws the caller's typed error.

export class ByteWriter {
  private readonly parts: number[] = [];

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }

  u32(v: number): this {
    return this.u8(v >>> 24).u8(v >>> 16).u8(v >>> 8).u8(v);
  }

  /** A non-negative safe integer as 8 bytes. */
  u64(v: number): this {
    const hi = Math.floor(v / 2 ** 32);
    return this.u32(hi).u32(v - hi * 2 ** 32);
  }

  bytes(b: Uint8Array): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i] as number);
    return this;
  }

  lp8(b: Uint8Array): this {
    return this.u8(b.length).bytes(b);
  }

  lp16(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export class ByteReader {
  private offset = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly fail: () => never,
  ) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  u8(): number {
    if (this.remaining < 1) this.fail();
    return this.data[this.offset++] as number;
  }

  u16(): number {
    return this.u8() * 256 + this.u8();
  }

  u32(): number {
    return this.u16() * 65536 + this.u16();
  }

  /** Returns -1 for values above 2^53-1 (callers reject them). */
  u64(): number {
    const hi = this.u32();
    const lo = this.u32();
    if (hi > 0x1fffff) return -1;
    return hi * 2 ** 32 + lo;
  }

  bytes(n: number): Uint8Array {
    if (this.remaining < n) this.fail();
    const out = this.data.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  lp8(): Uint8Array {
    return this.bytes(this.u8());
  }
}
