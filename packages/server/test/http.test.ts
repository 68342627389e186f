import { openRedemptionResponse } from '@cloudmfa/activation';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpLogEntry } from '../src/index.js';
import { ADAPTERS, type Adapter } from './adapters.js';
import { activateOnline, answerPush, makeDevice, makeServer, ORIGIN, pollRequest, prepareRedemption, testCrypto, numberOf } from './helpers.js';

const BASE = `${ORIGIN}/mfa`;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(`${BASE}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
const get = (path: string) => new Request(`${BASE}${path}`);

async function setup(adapter: Adapter) {
  const t = makeServer();
  const logs: HttpLogEntry[] = [];
  const handler = adapter.create(t.server, { basePath: '/mfa', clientIpHeader: 'x-test-ip', log: (e) => logs.push(e) });
  return { t, handler, logs };
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
}

describe.each(ADAPTERS)('HTTP device routes: $name', (adapter) => {
  it('redemption over HTTP: 200 with the response, a retry gets the same bytes, another device 403 (as a bad MAC), late 410', async () => {
    const { t, handler } = await setup(adapter);
    const a = await t.server.startActivation({ userId: 'alice' });
    const { request, state } = await prepareRedemption(t, a, makeDevice('a'));
    const res = await handler(post('/v1/activations/redeem', request));
    expect(res.status).toBe(200);
    const body = await res.json();
    const identity = await openRedemptionResponse({ response: body, state, crypto: testCrypto });
    expect(identity.enrolmentId).toBe(a.enrolmentId);
    const retry = await handler(post('/v1/activations/redeem', request));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(body);
    const other = await prepareRedemption(t, a, makeDevice('b'));
    await expectError(await handler(post('/v1/activations/redeem', other.request)), 403, 'ERR_ACTIVATION_INVALID');

    const late = await t.server.startActivation({ userId: 'bob' });
    const lateRequest = await prepareRedemption(t, late, makeDevice('c'));
    t.clock.set(late.expiresAt + 1);
    await expectError(await handler(post('/v1/activations/redeem', lateRequest.request)), 410, 'ERR_ACTIVATION_EXPIRED');
  });

  it('push over HTTP: respond, replay, poll and status', async () => {
    const { t, handler } = await setup(adapter);
    const device = makeDevice('a');
    const send = async (r: unknown) => {
      const res = await handler(post('/v1/activations/redeem', r));
      return { ok: true as const, response: await res.json() };
    };
    const { identity } = await activateOnline(t, device, { send });
    const c = await t.server.createPushChallenge({ userId: 'alice', context: { service: 'Acme VPN' } });
    if (!c.ok) throw new Error('no challenge');

    const status = await handler(get(`/v1/push/challenges/${c.challengeId}`));
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ id: c.challengeId, status: 'pending', expiresAt: c.expiresAt, finalizedAt: null, numberMatch: true });

    const poll = await handler(post('/v1/push/poll', { request: await pollRequest(t, identity, device) }));
    expect(poll.status).toBe(200);
    expect(await poll.json()).toEqual({ enrolmentId: identity.enrolmentId, challenges: [c.token] });

    const response = await answerPush(t, identity, device, c.token, 'confirm', numberOf(c));
    const ok = await handler(post('/v1/push/respond', { response }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ challengeId: c.challengeId, status: 'approved', suspicious: false, detail: null });
    await expectError(await handler(post('/v1/push/respond', { response })), 409, 'ERR_PUSH_REPLAYED');
    expect(((await (await handler(get(`/v1/push/challenges/${c.challengeId}`))).json()) as { status: string }).status).toBe('approved');

    await expectError(await handler(get('/v1/push/challenges/AAAAAAAAAAAAAAAAAAAAAA')), 404, 'ERR_PUSH_NOT_FOUND');
    await expectError(await handler(get('/v1/push/challenges/bad%20id')), 400, 'ERR_HTTP_MALFORMED');
    await expectError(await handler(post('/v1/push/poll', { request: await pollRequest(t, identity, makeDevice('x')) })), 403, 'ERR_PUSH_BAD_SIGNATURE');
    await expectError(await handler(post('/v1/push/respond', { response: 'a.b.c' })), 400, 'ERR_PUSH_MALFORMED');
  });

  it('routing, methods, media type and body caps', async () => {
    const { t, handler } = await setup(adapter);
    await expectError(await handler(get('/v1/nothing')), 404, 'ERR_HTTP_NOT_FOUND');
    await expectError(await handler(new Request(`${ORIGIN}/v1/push/poll`, { method: 'POST' })), 404, 'ERR_HTTP_NOT_FOUND');
    const wrongMethod = await handler(get('/v1/push/respond'));
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    await expectError(wrongMethod, 405, 'ERR_HTTP_METHOD');
    await expectError(await handler(new Request(`${BASE}/v1/push/challenges/abc`, { method: 'DELETE' })), 405, 'ERR_HTTP_METHOD');
    await expectError(await handler(post('/v1/push/respond', '{"response":"x"}', { 'content-type': 'text/plain' })), 415, 'ERR_HTTP_MEDIA_TYPE');
    await expectError(await handler(post('/v1/push/respond', '{', {})), 400, 'ERR_HTTP_MALFORMED');
    await expectError(await handler(post('/v1/push/respond', '{}', { 'content-length': '999999' })), 413, 'ERR_HTTP_BODY_TOO_LARGE');
    const badLength = await handler(post('/v1/push/respond', '{}', { 'content-length': 'abc' }));
    if (adapter.parserOwnsContentLength) expect(badLength.status).toBe(400);
    else await expectError(badLength, 400, 'ERR_HTTP_MALFORMED');
    // A stream without Content-Length that grows past the cap is cancelled at the cap.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(4096).fill(0x20));
      },
    });
    const streamed = new Request(`${BASE}/v1/push/respond`, { method: 'POST', body: endless, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    const cut = await handler(streamed);
    if (adapter.cutsStream === 'cancel') expect(pulled).toBeLessThanOrEqual(6);
    else expect(cut.headers.get('connection')).toBe('close');
    await expectError(cut, 413, 'ERR_HTTP_BODY_TOO_LARGE');
    // Invalid UTF-8.
    const bad = new Request(`${BASE}/v1/push/respond`, { method: 'POST', body: new Uint8Array([0x7b, 0xc0, 0xaf, 0x7d]), headers: { 'content-type': 'application/json' } });
    await expectError(await handler(bad), 400, 'ERR_HTTP_MALFORMED');
    // Strict UTF-8 as core's utf8Decode: an encoded surrogate (in a string) and a truncated
    // sequence are refused; a leading byte-order mark is kept, so JSON.parse refuses it (were
    // it stripped, this body would reach the schema and answer ERR_PUSH_MALFORMED).
    const bytes = (...b: number[][]) => new Uint8Array(b.flat());
    const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
    for (const body of [
      bytes(ascii('{"request":"'), [0xed, 0xa0, 0x80], ascii('"}')),
      bytes(ascii('{"request":"'), [0xe2, 0x82], ascii('"}')),
      bytes([0xef, 0xbb, 0xbf], ascii('{"request":"x"}')),
    ]) {
      const res = await handler(new Request(`${BASE}/v1/push/poll`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }));
      await expectError(res, 400, 'ERR_HTTP_MALFORMED');
    }
    // Deep nesting within the cap: parsed, refused by the schema, not a crash.
    await expectError(await handler(post('/v1/push/poll', '['.repeat(8000) + ']'.repeat(8000))), 400, 'ERR_PUSH_MALFORMED');
    // Wrong shapes.
    await expectError(await handler(post('/v1/push/respond', { response: 1 })), 400, 'ERR_PUSH_MALFORMED');
    await expectError(await handler(post('/v1/push/poll', { request: 'x', extra: 1 })), 400, 'ERR_PUSH_MALFORMED');
    await expectError(await handler(post('/v1/activations/redeem', { version: 1 })), 400, 'ERR_ACTIVATION_MALFORMED');
    expect(() => adapter.create(t.server, { basePath: '/mfa/' })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
    expect(() => adapter.create(t.server, { maxBodyBytes: 10 })).toThrow(expect.objectContaining({ code: 'ERR_SERVER_CONFIG' }));
  });

  it('429 with Retry-After from the per-client throttle', async () => {
    const t = makeServer({ policy: { activation: { ipThrottle: { freeFailures: 1, baseDelayMs: 5000, maxDelayMs: 5000, lockoutFailures: 10, lockoutMs: 60_000 } } } });
    const handler = adapter.create(t.server, { clientIpHeader: 'x-test-ip' });
    const a = await t.server.startActivation({ userId: 'alice' });
    const { request } = await prepareRedemption(t, a, makeDevice('a'));
    const bogus = { ...request, activationId: 'AAAAAAAAAAAAAAAAAAAAAA' };
    const send = () => handler(new Request(`${ORIGIN}/v1/activations/redeem`, { method: 'POST', body: JSON.stringify(bogus), headers: { 'content-type': 'application/json', 'x-test-ip': '203.0.113.5' } }));
    await expectError(await send(), 403, 'ERR_ACTIVATION_INVALID');
    await expectError(await send(), 403, 'ERR_ACTIVATION_INVALID');
    const limited = await send();
    expect(limited.headers.get('retry-after')).toBe('5');
    await expectError(limited, 429, 'ERR_ACTIVATION_THROTTLED');
  });

  it('503 with Retry-After when the store is unavailable; the log carries no message', async () => {
    const { t, handler, logs } = await setup(adapter);
    await t.store.close();
    const unavailable = await handler(get('/v1/push/challenges/AAAAAAAAAAAAAAAAAAAAAA'));
    expect(unavailable.headers.get('retry-after')).toBe('1');
    await expectError(unavailable, 503, 'ERR_HTTP_UNAVAILABLE');
    expect(logs.at(-1)).toEqual({ method: 'GET', route: '/v1/push/challenges/:id', status: 503, code: 'ERR_HTTP_UNAVAILABLE' });
  });

  it('500 only for a bug, with a log entry of name and code only', async () => {
    const { t } = await setup(adapter);
    const logs: HttpLogEntry[] = [];
    const broken = { ...t.server, getChallengeStatus: async () => Promise.reject(Object.assign(new TypeError('secret 123456 in a message'), { code: 'X' })) };
    const handler = adapter.create(broken, { log: (e) => logs.push(e) });
    const res = await handler(new Request(`${ORIGIN}/v1/push/challenges/abc`));
    await expectError(res, 500, 'ERR_HTTP_INTERNAL');
    expect(logs).toEqual([{ method: 'GET', route: '/v1/push/challenges/:id', status: 500, code: 'ERR_HTTP_INTERNAL', error: { name: 'TypeError', code: 'X' } }]);
  });
});

describe.each(ADAPTERS)('HTTP device routes, fuzzed input never gives a 500: $name', (adapter) => {
  const routes = ['/v1/activations/redeem', '/v1/push/respond', '/v1/push/poll', '/v1/push/challenges/'];

  it('arbitrary JSON bodies, strings, bytes, paths and methods (fast-check, seeded)', async () => {
    const { t, handler, logs } = await setup(adapter);
    const a = await t.server.startActivation({ userId: 'alice' });
    const { request } = await prepareRedemption(t, a, makeDevice('a'));
    const base64ish = fc.string({ unit: fc.constantFrom(...'ABCxyz019-_=+/. '.split('')), maxLength: 120 });
    // Mostly the genuine field, sometimes junk: so many samples get past the shape checks and
    // reach the facade's own refusals.
    const field = <T,>(valid: T, junk: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: fc.constant(valid), weight: 5 }, { arbitrary: junk, weight: 1 });
    const b64junk = fc.string({ unit: fc.constantFrom(...'ABCxyz019-_'.split('')), maxLength: 100 });
    const mutatedRedemption = fc.record({
      version: field(1, fc.oneof(fc.integer(), fc.double(), fc.string())),
      activationId: field(request.activationId, fc.oneof(base64ish, b64junk, fc.constant('AAAAAAAAAAAAAAAAAAAAAA'))),
      devicePublicKey: field(request.devicePublicKey, fc.oneof(base64ish, b64junk)),
      ephemeralPublicKey: field(request.ephemeralPublicKey, fc.oneof(base64ish, b64junk)),
      platform: field('ios', fc.string()),
      pushToken: field(request.pushToken, fc.oneof(fc.constant(null), fc.string({ maxLength: 50 }))),
      createdAt: field(request.createdAt, fc.oneof(fc.integer(), fc.double())),
      mac: field(request.mac, fc.oneof(base64ish, b64junk)),
      signature: field(request.signature, fc.oneof(base64ish, b64junk)),
    });
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      { arbitrary: mutatedRedemption.map((v) => JSON.stringify(v)), weight: 3 },
      fc.record({ response: fc.oneof(fc.string(), base64ish, fc.jsonValue()) }).map((v) => JSON.stringify(v)),
      fc.record({ request: fc.oneof(fc.string(), base64ish) }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }),
    );
    const path = fc.oneof(
      fc.constantFrom(...routes),
      fc.tuple(fc.constant('/v1/push/challenges/'), fc.string({ maxLength: 40 })).map(([p, s]) => p + encodeURIComponent(s)),
      fc.webPath(),
    );
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'APPLICATION/JSON', '');
    const send = async (m: string, p: string, b: string | Uint8Array, ct: string) => {
      const init: RequestInit = { method: m, headers: ct ? { 'content-type': ct } : {} };
      if (m !== 'GET' && m !== 'HEAD') init.body = b as BodyInit;
      const res = await handler(new Request(`${BASE}${p.startsWith('/') ? p : `/${p}`}`, init));
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(500);
      const json = (await res.json()) as { error?: { code: string } };
      if (res.status >= 400) expect(json.error?.code).toMatch(/^ERR_[A-Z_]+$/);
      return res.status;
    };
    // Everything at random: routing, methods, media types.
    await fc.assert(fc.asyncProperty(method, path, body, contentType, async (m, p, b, ct) => void (await send(m, p, b, ct))), { seed: 42, numRuns: 200 });
    // Bodies that reach the parsers and the facade: POST with a JSON media type to the real routes.
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes.slice(0, 3)), body, async (p, b) => {
        statuses.add(await send('POST', p, b, 'application/json'));
      }),
      { seed: 42, numRuns: 400 },
    );
    // The fuzzer reached past the shape checks: the genuine request redeemed (200), then refused
    // for a bad proof or as a second redemption, which answers like one (403).
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 403]));
    expect(logs.every((l) => l.status !== 500)).toBe(true);
    // Nothing the fuzzer sent is ever echoed into a log entry.
    for (const l of logs) expect(Object.keys(l).sort()).toEqual(['code', 'method', 'route', 'status']);
  });
});
