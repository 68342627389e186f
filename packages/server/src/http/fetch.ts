// The Fetch adapter's half of the route core: a Request described to the core, the core's answer
// written as a Response. Shared by createHttpHandler (device routes) and createAdminHandler.
import { concatChunks } from './body.js';
import type { BodyBytes, NeutralRequest, NeutralResponse } from './neutral.js';
import { BASE_HEADERS } from './respond.js';

/** Reads a Fetch body stream with a cap: a stream that grows past it is cancelled. */
async function readStream(req: Request, maxBytes: number): Promise<BodyBytes> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!(value instanceof Uint8Array)) return { ok: false, reason: 'broken' };
        total += value.length;
        if (total > maxBytes) {
          reader.cancel().catch(() => undefined);
          return { ok: false, reason: 'too_large' };
        }
        chunks.push(value);
      }
    } catch {
      // The client went away or the stream broke: nothing to parse.
      return { ok: false, reason: 'broken' };
    } finally {
      reader.releaseLock();
    }
  }
  return { ok: true, bytes: concatChunks(chunks, total) };
}

/** Writes the core's answer with the base headers. */
export const toResponse = (r: NeutralResponse): Response => new Response(r.body, { status: r.status, headers: r.headers ? { ...BASE_HEADERS, ...r.headers } : BASE_HEADERS });

/** A Fetch Request as the core sees it; `withQuery` adds the query string (the admin routes read it). */
export function fetchRequest(req: Request, clientIp: ((req: Request) => unknown) | undefined, withQuery: boolean): NeutralRequest {
  let url: URL | null = null;
  if (typeof req?.url === 'string') {
    try {
      url = new URL(req.url);
    } catch {
      url = null;
    }
  }
  const neutral: NeutralRequest = {
    method: typeof req?.method === 'string' ? req.method.toUpperCase() : 'GET',
    path: url ? url.pathname : null,
    header: (name) => req.headers.get(name),
    readBody: (maxBytes) => readStream(req, maxBytes),
    clientIp: () => (clientIp ? clientIp(req) : undefined),
    native: req,
  };
  if (withQuery) neutral.query = () => (url ? url.search.slice(1) : '');
  return neutral;
}
