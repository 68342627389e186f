import type { NeutralRequest } from './neutral.js';

// Strict UTF-8, exactly core's `utf8Decode` (which is written for Hermes, where TextDecoder may be
// missing) but native: every runtime this package serves has it, and a JS loop costs ~11 us on a
// 600-byte body (docs/benchmarks.md, server). Invalid input throws a TypeError, answered 400 below.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; code: 'ERR_HTTP_MALFORMED' | 'ERR_HTTP_BODY_TOO_LARGE' | 'ERR_HTTP_MEDIA_TYPE' };

/**
 * Reads a JSON body with a byte cap, the same way for every adapter: the media type first, a
 * `Content-Length` over the cap is refused before reading, the adapter's reader stops at the
 * cap (never an unbounded read), then strict UTF-8 and `JSON.parse`. Never throws.
 */
export async function readJsonBody(req: NeutralRequest, maxBytes: number): Promise<BodyResult> {
  const contentType = req.header('content-type');
  const type = contentType === 'application/json' ? contentType : (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, status: 415, code: 'ERR_HTTP_MEDIA_TYPE' };
  const length = req.header('content-length');
  if (length !== null) {
    if (!/^[0-9]{1,15}$/.test(length.trim())) return { ok: false, status: 400, code: 'ERR_HTTP_MALFORMED' };
    if (Number(length.trim()) > maxBytes) return { ok: false, status: 413, code: 'ERR_HTTP_BODY_TOO_LARGE' };
  }
  const read = await req.readBody(maxBytes);
  if (!read.ok) return read.reason === 'too_large' ? { ok: false, status: 413, code: 'ERR_HTTP_BODY_TOO_LARGE' } : { ok: false, status: 400, code: 'ERR_HTTP_MALFORMED' };
  try {
    return { ok: true, value: JSON.parse(strictUtf8.decode(read.bytes)) as unknown };
  } catch {
    return { ok: false, status: 400, code: 'ERR_HTTP_MALFORMED' };
  }
}

/** Joins chunks read under a cap into one array. */
export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return bytes;
}
