/** The width of a PNG from its IHDR chunk (bytes 16..19, big-endian). */
export function pngWidth(png: Uint8Array): number {
  return ((png[16]! << 24) | (png[17]! << 16) | (png[18]! << 8) | png[19]!) >>> 0;
}
