import { utf8Decode } from '@cloudmfa/core';

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; code: 'ERR_HTTP_MALFORMED' | 'ERR_HTTP_BODY_TOO_LARGE' | 'ERR_HTTP_MEDIA_TYPE' };

/**
 * Reads a JSON body with a byte cap: `Content-Length` over the cap is refused before reading,
 * and a stream that grows past it is cancelled (never `req.json()` on an unbounded stream).
 * Then strict UTF-8 and `JSON.parse`. Never throws.
 */
export async function readJsonBody(req: Request, maxBytes: number): Promise<BodyResult> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, status: 415, code: 'ERR_HTTP_MEDIA_TYPE' };
  const length = req.headers.get('content-length');
  if (length !== null) {
    if (!/^[0-9]{1,15}$/.test(length.trim())) return { ok: false, status: 400, code: 'ERR_HTTP_MALFORMED' };
    if (Number(length.trim()) > maxBytes) return { ok: false, status: 413, code: 'ERR_HTTP_BODY_TOO_LARGE' };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!(value instanceof Uint8Array)) return { ok: false, status: 400, code: 'ERR_HTTP_MALFORMED' };
        total += value.length;
        if (total > maxBytes) {
          reader.cancel().catch(() => undefined);
          return { ok: false, status: 413, code: 'ERR_HTTP_BODY_TOO_LARGE' };
        }
        chunks.push(value);
      }
    } catch {
      // The client went away or the stream broke: nothing to parse.
      return { ok: false, status: 400, code: 'ERR_HTTP_MALFORMED' };
    } finally {
      reader.releaseLock();
    }
  }
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  try {
    return { ok: true, value: JSON.parse(utf8Decode(bytes)) as unknown };
  } catch {
    return { ok: false, status: 400, code: 'ERR_HTTP_MALFORMED' };
  }
}
