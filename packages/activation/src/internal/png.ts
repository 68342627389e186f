// A minimal PNG encoder for QR matrices: 1-bit grayscale, zlib "stored" (uncompressed) deflate
// blocks, CRC-32 and Adler-32 by hand. No Node Buffer or zlib, so it runs on phones and in
// browsers; a QR image is small enough (a few KB) that compression is not worth code here.

const CRC_TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = (CRC_TABLE[(c ^ (p[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function chunk(type: string, data: Uint8Array): Uint8Array[] {
  const t = new Uint8Array([type.charCodeAt(0), type.charCodeAt(1), type.charCodeAt(2), type.charCodeAt(3)]);
  return [u32(data.length), t, data, u32(crc32([t, data]))];
}

/** A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951), at most 65,535 bytes each. */
function zlibStored(raw: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, raw.length - start);
    out[o++] = b === blocks - 1 ? 1 : 0;
    out[o++] = len & 0xff;
    out[o++] = len >>> 8;
    out[o++] = ~len & 0xff;
    out[o++] = (~len >>> 8) & 0xff;
    out.set(raw.subarray(start, start + len), o);
    o += len;
  }
  let a = 1;
  let s = 0;
  for (let i = 0; i < raw.length; i++) {
    a = (a + (raw[i] as number)) % 65521;
    s = (s + a) % 65521;
  }
  out.set(u32(((s << 16) | a) >>> 0), o);
  return out;
}

/** `dark(x, y)` for each of `modules x modules`; `margin` modules of white around; `scale` px per module. */
export function encodeQrPng(modules: number, dark: (x: number, y: number) => boolean, scale: number, margin: number): Uint8Array {
  const side = (modules + 2 * margin) * scale;
  const rowBytes = Math.ceil(side / 8);
  const raw = new Uint8Array((rowBytes + 1) * side);
  // Each module row is packed once (filter byte 0 = None; in 1-bit grayscale 1 is white) and
  // copied `scale` times.
  const row = new Uint8Array(rowBytes + 1);
  for (let my = -margin; my < modules + margin; my++) {
    row.fill(0);
    for (let px = 0; px < side; px++) {
      const mx = Math.floor(px / scale) - margin;
      const isDark = my >= 0 && my < modules && mx >= 0 && mx < modules && dark(mx, my);
      if (!isDark) row[1 + (px >>> 3)] = (row[1 + (px >>> 3)] as number) | (0x80 >>> (px & 7));
    }
    const y0 = (my + margin) * scale;
    for (let k = 0; k < scale; k++) raw.set(row, (y0 + k) * (rowBytes + 1));
  }
  const ihdr = new Uint8Array(13);
  ihdr.set(u32(side), 0);
  ihdr.set(u32(side), 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale; compression, filter and interlace methods 0
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunk('IHDR', ihdr), ...chunk('IDAT', zlibStored(raw)), ...chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
