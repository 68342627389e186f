// The node:http handler inside Express 5 and Fastify 5, mounted as docs/server.md 7.2 shows.
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { HttpLogEntry } from '../src/index.js';
import { createNodeHandler } from '../src/node.js';
import { makeServer, T0 } from './helpers.js';
import { documented } from './openapi.js';

/** fetch, with each answer of the device routes checked against the OpenAPI document. */
const send = (url: string, init?: RequestInit) => documented((req) => fetch(req), '/mfa')(new Request(url, init));

async function check(base: string, logs: HttpLogEntry[]) {
  const time = await send(`${base}/mfa/v1/time`);
  expect(time.status).toBe(200);
  expect(time.headers.get('cache-control')).toBe('no-store');
  expect(await time.json()).toEqual({ serverTime: T0 });
  // The body reaches the handler unread: it parses it and refuses the shape itself.
  const poll = await send(`${base}/mfa/v1/push/poll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"request":1}' });
  expect(poll.status).toBe(400);
  expect(((await poll.json()) as { error: { code: string } }).error.code).toBe('ERR_PUSH_MALFORMED');
  const big = await send(`${base}/mfa/v1/push/poll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(20_000)}"` });
  expect(big.status).toBe(413);
  expect(logs.map((l) => [l.route, l.status])).toEqual([
    ['/v1/time', 200],
    ['/v1/push/poll', 400],
    ['/v1/push/poll', 413],
  ]);
}

describe('createNodeHandler in frameworks', () => {
  it('Express 5: app.use(handler) before the body parser; other paths go to next()', async () => {
    const t = makeServer();
    const logs: HttpLogEntry[] = [];
    const urls: (string | undefined)[] = [];
    const app = express();
    app.use(
      createNodeHandler({
        server: t.server,
        basePath: '/mfa',
        // The entry comes with the request it answers (here Express's, an IncomingMessage).
        log: (e, req) => {
          logs.push(e);
          urls.push(req.url);
        },
      }),
    );
    app.use(express.json());
    app.post('/hello', (req, res) => {
      res.json({ hello: (req.body as { name: string }).name });
    });
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    onTestFinished(() => void listener.close());
    const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    await check(base, logs);
    const hello = await fetch(`${base}/hello`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"app"}' });
    expect(await hello.json()).toEqual({ hello: 'app' });
    expect(logs).toHaveLength(3);
    expect(urls).toEqual(['/mfa/v1/time', '/mfa/v1/push/poll', '/mfa/v1/push/poll']);
  });

  it('Express 5: mounted after express.json() it refuses to guess (500, logged as ERR_SERVER_CONFIG)', async () => {
    const t = makeServer();
    const logs: HttpLogEntry[] = [];
    const app = express();
    app.use(express.json());
    app.use(createNodeHandler({ server: t.server, basePath: '/mfa', log: (e) => logs.push(e) }));
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    onTestFinished(() => void listener.close());
    const res = await send(`http://127.0.0.1:${(listener.address() as AddressInfo).port}/mfa/v1/push/poll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"request":"x"}',
    });
    expect(res.status).toBe(500);
    expect(logs).toEqual([{ method: 'POST', route: '/v1/push/poll', status: 500, code: 'ERR_HTTP_INTERNAL', error: { name: 'CloudMfaError', code: 'ERR_SERVER_CONFIG' } }]);
  });

  it('Fastify 5: a scope without body parsing hands the raw request and response over', async () => {
    const t = makeServer();
    const logs: HttpLogEntry[] = [];
    const handler = createNodeHandler({ server: t.server, basePath: '/mfa', log: (e) => logs.push(e) });
    const app = Fastify();
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      scope.all('/mfa/*', (request, reply) => {
        reply.hijack();
        handler(request.raw, reply.raw);
      });
    });
    app.get('/hello', async () => ({ hello: 'app' }));
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(() => app.close());
    await check(base, logs);
    expect(await (await fetch(`${base}/hello`)).json()).toEqual({ hello: 'app' });
  });
});
