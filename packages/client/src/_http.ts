// The engine's only network path: JSON over the injected fetch, with a timeout, and every
// failure as a typed outcome (never a thrown TypeError from a host's fetch).
import type { FetchLike } from './types.js';

export type HttpOutcome =
  | { ok: true; status: number; body: unknown; headers: { get(name: string): string | null }; sentAt: number; receivedAt: number }
  | { ok: false; reason: 'network' | 'timeout' }
  | { ok: false; reason: 'http'; status: number; code: string | null };

export interface HttpContext {
  fetch: FetchLike;
  now: () => number;
  timeoutMs: number;
}

export async function requestJson(ctx: HttpContext, url: string, init: { method: 'GET' | 'POST'; body?: unknown }): Promise<HttpOutcome> {
  const controller = typeof AbortController === 'function' ? new AbortController() : null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller?.abort();
      resolve('timeout');
    }, ctx.timeoutMs);
  });
  const sentAt = ctx.now();
  try {
    const call = (async () => {
      const res = await ctx.fetch(url, {
        method: init.method,
        headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        ...(controller ? { signal: controller.signal } : {}),
      });
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        body = null;
      }
      return { res, body };
    })();
    // A fetch that rejects after the timeout won: do not leave an unhandled rejection behind.
    call.catch(() => undefined);
    const won = await Promise.race([call, timeout]);
    if (won === 'timeout') return { ok: false, reason: 'timeout' };
    const { res, body } = won;
    const receivedAt = ctx.now();
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, body, headers: res.headers, sentAt, receivedAt };
    const error = body && typeof body === 'object' ? (body as { error?: { code?: unknown } }).error : undefined;
    return { ok: false, reason: 'http', status: res.status, code: typeof error?.code === 'string' ? error.code : null };
  } catch {
    return { ok: false, reason: 'network' };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** `origin` + path (origins are validated `https://host[:port]` strings from an envelope). */
export const routeOf = (origin: string, path: string): string => `${origin}${path}`;
