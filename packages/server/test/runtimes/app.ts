// The application each runtime test serves (Bun, Deno, workerd): the Fetch handler on the
// memory store, plus three test-only admin routes under /test/ that stand for the caller's own
// code (start an activation, verify a code, send a push). Bundled by esbuild against the BUILT
// packages; no Node built-in, no wall clock (the clock is pinned to T0), seeded randomness.
import { createSoftwareSigner, utf8Encode } from '@cloudmfa/core';
import { webCryptoProvider } from '@cloudmfa/core/providers';
import { createHttpHandler, createMfaServer } from '@cloudmfa/server';
import { createMemoryStore } from '@cloudmfa/storage';
import { sha256 } from '@noble/hashes/sha2.js';

/** 2026-01-01T00:00:00Z, a whole 30 s step: the runtime's clock and the test's. */
export const T0 = Date.UTC(2026, 0, 1);
export const ORIGIN = 'https://mfa.acme.example';

function seededRandom(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  const label = utf8Encode(seed);
  return (n) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = new Uint8Array(label.length + 4);
      block.set(label);
      new DataView(block.buffer).setUint32(label.length, counter++);
      out.set(sha256(block).subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * Builds the app on first use: workerd forbids randomness at module scope, so nothing is
 * created before the first request.
 */
export function createApp(): (req: Request) => Promise<Response> {
  let app: ((req: Request) => Promise<Response>) | null = null;
  const build = () => {
    const clock = () => T0;
    const server = createMfaServer({
      store: createMemoryStore({ clock }),
      keys: { kek: { current: 'k1', keys: { k1: new Uint8Array(32).fill(0x11) } }, push: createSoftwareSigner({ algorithm: 'ES256', random: seededRandom('push-key') }) },
      issuer: 'Acme Corporation',
      origin: ORIGIN,
      policy: { activation: { kdf: { algorithm: 'scrypt', log2N: 14, r: 8, p: 1 } } },
      clock,
      random: seededRandom('server'),
      crypto: webCryptoProvider(),
    });
    const device = createHttpHandler({ server });
    return async (req: Request): Promise<Response> => {
      const { pathname } = new URL(req.url);
      if (!pathname.startsWith('/test/')) return device(req);
      // Which runtime answers: Bun/x, Deno/x, Cloudflare-Workers.
      if (pathname === '/test/runtime') return json({ userAgent: globalThis.navigator?.userAgent ?? null });
      const body = (await req.json()) as never; // the test sends the options as the facade takes them
      if (pathname === '/test/start') {
        const a = await server.startActivation(body);
        return json({ enrolmentId: a.enrolmentId, text: a.text, password: a.password, uri: a.uri });
      }
      if (pathname === '/test/verify') return json(await server.verifyOtp(body));
      if (pathname === '/test/push') return json(await server.createPushChallenge(body));
      return json({ error: 'no such test route' }, 404);
    };
  };
  return (req) => (app ??= build())(req);
}
