// Serves the app's web build the way it is deployed: static files, with the device API of the
// reference server behind the same origin (a browser app calling another origin would need
// CORS, which the reference server does not offer; a phone has no such rule). `/v1/*` and
// `/healthz` are forwarded to the device listener unchanged.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css', '.png': 'image/png', '.ico': 'image/x-icon', '.ttf': 'font/ttf' };

export interface WebServer {
  url: string;
  /** Where `/v1/*` goes; set once the device listener is up. */
  setDeviceUrl(url: string): void;
  close(): Promise<void>;
}

export async function serveWebBuild(dir: string): Promise<WebServer> {
  let device: URL | null = null;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/v1/') || path === '/healthz') {
      if (!device) {
        res.writeHead(503).end();
        return;
      }
      const upstream = httpRequest({ host: device.hostname, port: device.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const file = normalize(join(dir, path === '/' ? 'index.html' : decodeURIComponent(path)));
    const target = file.startsWith(dir) && existsSync(file) && statSync(file).isFile() ? file : join(dir, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' });
    createReadStream(target).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setDeviceUrl: (url) => {
      device = new URL(url);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
