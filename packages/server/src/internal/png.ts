// A 1-bit grayscale PNG writer for QR matrices: stored (uncompressed) deflate blocks, CRC-32
// and Adler-32 by hand, so it needs neither zlib nor Buffer.
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
  const t = new Uint8Array([...type].map((c) => c.charCodeAt(0)));
  return [u32(data.length), t, data, u32(crc32([t, data]))];
}

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

/** Encodes a `size` x `size` module matrix (`dark(x, y)`) as a PNG with `scale` px per module and a `margin`-module quiet zone. */
export function encodeQrPng(size: number, dark: (x: number, y: number) => boolean, scale: number, margin: number): Uint8Array {
  const px = (size + 2 * margin) * scale;
  const rowBytes = Math.ceil(px / 8);
  const raw = new Uint8Array((rowBytes + 1) * px);
  // One packed row per module row, copied `scale` times (filter byte 0 = none; 1 bit is white).
  const row = new Uint8Array(rowBytes + 1);
  for (let my = -margin; my < size + margin; my++) {
    row.fill(0);
    for (let x = 0; x < px; x++) {
      const mx = Math.floor(x / scale) - margin;
      const isDark = my >= 0 && my < size && mx >= 0 && mx < size && dark(mx, my);
      if (!isDark) row[1 + (x >>> 3)] = (row[1 + (x >>> 3)] as number) | (0x80 >>> (x & 7));
    }
    const y0 = (my + margin) * scale;
    for (let k = 0; k < scale; k++) raw.set(row, (y0 + k) * (rowBytes + 1));
  }
  const ihdr = new Uint8Array([...u32(px), ...u32(px), 1, 0, 0, 0, 0]);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunk('IHDR', ihdr), ...chunk('IDAT', zlibStored(raw)), ...chunk('IEND', new Uint8Array(0))];
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
