// The HTTP suites run against both adapters of the device routes: the Fetch handler, called
// with a Request, and the node:http handler, served on a loopback port and called over a real
// socket (a Request is sent as is: method, target, headers, body streamed as it is produced).
import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { type AdminAuthorization, type AdminHooks, createAdminHandler, createHttpHandler, type HttpLogEntry, type MfaServer, type ResolvedOrganisation } from '../src/index.js';
import { createNodeAdminHandler, createNodeHandler } from '../src/node.js';
import { documented } from './openapi.js';

interface AdapterOptions {
  basePath?: string;
  maxBodyBytes?: number;
  /** The header the test puts the client address in (each adapter reads it its own way). */
  clientIpHeader?: string;
  log?: (entry: HttpLogEntry) => void;
  /** Resolves the organisation from the request's host and path (each adapter reads them its own way). */
  resolveOrganisation?: (where: { host: string | null; path: string }) => ResolvedOrganisation;
}

/** Options of an admin handler in the tests: `authorize` reads a Fetch-style header getter whatever the adapter. */
export interface AdminAdapterOptions extends AdminHooks {
  basePath?: string;
  maxBodyBytes?: number;
  authorize: (header: (name: string) => string | null) => AdminAuthorization | Promise<AdminAuthorization>;
  log?: (entry: HttpLogEntry) => void;
}

export interface Adapter {
  name: string;
  /**
   * Throws what the adapter's factory throws; the handler takes a Fetch Request either way, and
   * every answer is checked against the OpenAPI document (test/openapi.ts) before it is returned.
   */
  create(server: MfaServer, options?: AdapterOptions): (req: Request) => Promise<Response>;
  /** The admin handler of the same adapter, checked against the document the same way. */
  createAdmin(server: MfaServer, options: AdminAdapterOptions): (req: Request) => Promise<Response>;
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

/** Where a request's routes are mounted: the organisation's base path when the resolver gives one. */
function baseOf(basePath: string | undefined, resolve: AdapterOptions['resolveOrganisation']): string | undefined | ((url: URL) => string | undefined) {
  if (!resolve) return basePath;
  return (url) => {
    const r = resolve({ host: url.host, path: url.pathname });
    return r !== null && typeof r === 'object' ? r.basePath : basePath;
  };
}

const fetchAdapter: Adapter = {
  name: 'Fetch handler',
  create: (server, { clientIpHeader, resolveOrganisation, ...rest } = {}) =>
    documented(
      createHttpHandler({
        server,
        ...rest,
        ...(clientIpHeader ? { clientIp: (req: Request) => req.headers.get(clientIpHeader) } : {}),
        ...(resolveOrganisation
          ? { resolveOrganisation: (req: Request) => resolveOrganisation({ host: new URL(req.url).host, path: new URL(req.url).pathname }) }
          : {}),
      }),
      baseOf(rest.basePath, resolveOrganisation),
    ),
  createAdmin: (server, { authorize, ...rest }) =>
    documented(createAdminHandler({ server, ...rest, authorize: (req) => authorize((name) => req.headers.get(name)) }), rest.basePath),
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

/** Serves a node:http listener for the test and sends each Request to it over a real socket. */
function overSocket(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: Request) => Promise<Response> {
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
}

/**
 * node's HTTP parser answers a malformed Content-Length itself (400, no JSON body) before any
 * handler runs: that answer is not ours to document. Every other answer is checked.
 */
function documentedNode(handler: (req: Request) => Promise<Response>, basePath: string | undefined | ((url: URL) => string | undefined)): (req: Request) => Promise<Response> {
  const checked = documented(handler, basePath);
  return (req) => {
    const length = req.headers.get('content-length');
    return length !== null && !/^[0-9]+$/.test(length) ? handler(req) : checked(req);
  };
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
    return documentedNode(overSocket(handler), baseOf(rest.basePath, resolveOrganisation));
  },
  createAdmin: (server, { authorize, ...rest }) => {
    const handler = createNodeAdminHandler({
      server,
      ...rest,
      authorize: (req) =>
        authorize((name) => {
          const v = req.headers[name];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        }),
    });
    return documentedNode(overSocket(handler), rest.basePath);
  },
  parserOwnsContentLength: true,
  cutsStream: 'close',
};

export const ADAPTERS: readonly Adapter[] = [fetchAdapter, nodeAdapter];
