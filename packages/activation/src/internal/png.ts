// A minimal PNG encoder for QR matrices: 1-bit grayscale, zlib "stored" (uncompressed) deflate
// blocks. No Node Buffer or zlib, so it runs on phones and in browsers; a QR image is small
// enough (a few KB) that compression is not worth code here.

const CRC_TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + (bytes[i] as number)) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

class Out {
  bytes: number[] = [];
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u32(v: number): void {
    this.u8(v >>> 24);
    this.u8(v >>> 16);
    this.u8(v >>> 8);
    this.u8(v);
  }
  chunk(type: string, data: Uint8Array): void {
    this.u32(data.length);
    const typed = new Uint8Array(4 + data.length);
    for (let i = 0; i < 4; i++) typed[i] = type.charCodeAt(i);
    typed.set(data, 4);
    for (let i = 0; i < typed.length; i++) this.bytes.push(typed[i] as number);
    this.u32(crc32(typed, 0, typed.length));
  }
}

/** `dark(x, y)` for each of `modules x modules`; `margin` modules of white around; `scale` px per module. */
export function encodeQrPng(modules: number, dark: (x: number, y: number) => boolean, scale: number, margin: number): Uint8Array {
  const side = (modules + 2 * margin) * scale;
  const rowBytes = Math.ceil(side / 8);
  const raw = new Uint8Array((rowBytes + 1) * side);
  for (let py = 0; py < side; py++) {
    const rowStart = py * (rowBytes + 1); // filter byte 0 (None) at rowStart
    const my = Math.floor(py / scale) - margin;
    for (let px = 0; px < side; px++) {
      const mx = Math.floor(px / scale) - margin;
      const isDark = mx >= 0 && my >= 0 && mx < modules && my < modules && dark(mx, my);
      // In 1-bit grayscale 1 is white.
      if (!isDark) {
        const i = rowStart + 1 + (px >> 3);
        raw[i] = (raw[i] as number) | (0x80 >> (px & 7));
      }
    }
  }
  // zlib stream of stored deflate blocks (RFC 1950/1951).
  const z: number[] = [0x78, 0x01];
  for (let off = 0; off === 0 || off < raw.length; off += 65535) {
    const len = Math.min(65535, raw.length - off);
    const final = off + len >= raw.length ? 1 : 0;
    z.push(final, len & 0xff, len >>> 8, ~len & 0xff, (~len >>> 8) & 0xff);
    for (let i = 0; i < len; i++) z.push(raw[off + i] as number);
  }
  const adler = adler32(raw);
  z.push(adler >>> 24, (adler >>> 16) & 0xff, (adler >>> 8) & 0xff, adler & 0xff);

  const out = new Out();
  for (const b of [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) out.u8(b);
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, side);
  dv.setUint32(4, side);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  out.chunk('IHDR', ihdr);
  out.chunk('IDAT', Uint8Array.from(z));
  out.chunk('IEND', new Uint8Array(0));
  return Uint8Array.from(out.bytes);
}
