// The HTTP suites run against both adapters of the device routes: the Fetch handler, called
// with a Request, and the node:http handler, served on a loopback port and called over a real
// socket (a Request is sent as is: method, target, headers, body streamed as it is produced).
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { createHttpHandler, type HttpLogEntry, type MfaServer, type ResolvedOrganisation } from '../src/index.js';
import { createNodeHandler } from '../src/node.js';

interface AdapterOptions {
  basePath?: string;
  maxBodyBytes?: number;
  /** The header the test puts the client address in (each adapter reads it its own way). */
  clientIpHeader?: string;
  log?: (entry: HttpLogEntry) => void;
  /** Resolves the organisation from the request's host and path (each adapter reads them its own way). */
  resolveOrganisation?: (where: { host: string | null; path: string }) => ResolvedOrganisation;
}

export interface Adapter {
  name: string;
  /** Throws what the adapter's factory throws; the handler takes a Fetch Request either way. */
  create(server: MfaServer, options?: AdapterOptions): (req: Request) => Promise<Response>;
  /**
   * node:http's parser refuses a malformed `Content-Length` itself (400, no body) before any
   * handler runs; the Fetch handler answers it with `ERR_HTTP_MALFORMED`.
   */
  parserOwnsContentLength: boolean;
  /**
   * How a body streaming past the cap is cut: the Fetch handler cancels the body stream (the
   * test counts the chunks pulled); the node:http handler answers 413 with `Connection: close`
   * and closes the socket (the call returning at all shows nothing was drained).
   */
  cutsStream: 'cancel' | 'close';
}

const fetchAdapter: Adapter = {
  name: 'Fetch handler',
  create: (server, { clientIpHeader, resolveOrganisation, ...rest } = {}) =>
    createHttpHandler({
      server,
      ...rest,
      ...(clientIpHeader ? { clientIp: (req: Request) => req.headers.get(clientIpHeader) } : {}),
      ...(resolveOrganisation
        ? { resolveOrganisation: (req: Request) => resolveOrganisation({ host: new URL(req.url).host, path: new URL(req.url).pathname }) }
        : {}),
    }),
  parserOwnsContentLength: false,
  cutsStream: 'cancel',
};

function sendOver(port: number, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const headers: Record<string, string> = {};
  req.headers.forEach((value, name) => {
    headers[name] = value;
  });
  // A body of unknown length goes chunked (node's client would send DELETE and OPTIONS bodies
  // without any framing).
  if (req.body && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  // The Host the request was addressed to (what a host-based organisation resolver reads).
  headers.host = url.host;
  let answered = false;
  const out = httpRequest({ host: '127.0.0.1', port, method: req.method, path: url.pathname + url.search, headers, agent: false });
  const response = new Promise<Response>((resolve, reject) => {
    out.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') h.set(name, value);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: h }));
      });
      res.on('error', reject);
    });
    // A body the server refused mid-stream ends in a reset once the answer is in: not an error.
    out.on('error', (e) => {
      if (!answered) reject(e);
    });
  });
  // The upload goes on until the body ends or the server closes the connection: a server that
  // drained an endless body instead of closing would never let this call return.
  const upload = (async () => {
    if (!req.body) {
      out.end();
      return;
    }
    const reader = req.body.getReader();
    try {
      while (!out.destroyed) {
        const { done, value } = await reader.read();
        if (done) {
          out.end();
          return;
        }
        if (!out.write(value)) {
          await new Promise<void>((resolve) => {
            const go = () => {
              out.off('drain', go).off('close', go);
              resolve();
            };
            out.on('drain', go).on('close', go);
          });
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  })();
  return Promise.all([response, upload]).then(([res]) => res);
}

const nodeAdapter: Adapter = {
  name: 'node:http handler',
  create: (server, { clientIpHeader, resolveOrganisation, ...rest } = {}) => {
    const handler = createNodeHandler({
      server,
      ...rest,
      ...(resolveOrganisation
        ? { resolveOrganisation: (req) => resolveOrganisation({ host: (req.headers.host as string | undefined) ?? null, path: (req.url ?? '').split('?')[0]! }) }
        : {}),
      ...(clientIpHeader ? { clientIp: (req) => (req.headers[clientIpHeader] as string | undefined) ?? null } : {}),
    });
    let listening: Promise<Server> | null = null;
    return async (req) => {
      listening ??= new Promise<Server>((resolve) => {
        const s = createServer(handler);
        s.listen(0, '127.0.0.1', () => resolve(s));
        onTestFinished(() => new Promise<void>((done) => {
          s.closeAllConnections();
          s.close(() => done());
        }));
      });
      const s = await listening;
      return sendOver((s.address() as AddressInfo).port, req);
    };
  },
  parserOwnsContentLength: true,
  cutsStream: 'close',
};

export const ADAPTERS: readonly Adapter[] = [fetchAdapter, nodeAdapter];
