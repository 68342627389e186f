// The reference server in-process (`startApp`) on ephemeral loopback ports, over real HTTP, on a
// temporary SQLite file, with a pinned clock and a seeded random source: the admin JSON API and
// HTML pages, their protections, and the device routes driven by the SDK's app functions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@cloudmfa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderApiReference } from '../src/admin/reference.mjs';
import { startApp } from '../src/app.mjs';
import { readConfig } from '../src/config.mjs';
import { checkAnswer, DOCUMENT } from '../../../packages/server/test/openapi.js';
import { call, codeAt, makePhone, pollAndAnswer, rawRequest, redeemOverHttp, seededRandom, testServerEnv, wrongCode } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const TOKEN = 'test-admin-token-0123456789abcdef';

let dir: string;
let app: Awaited<ReturnType<typeof startApp>>;
const clock = fixedClock(T0);
const logs: string[] = [];
// Every credential the tests see: none of them may appear in a log line.
const secrets = new Set<string>([TOKEN]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmfa-example-app-'));
  const config = readConfig(testServerEnv(dir, TOKEN));
  app = await startApp(config, { clock, random: seededRandom('app-test'), log: (e) => logs.push(JSON.stringify(e)) });
});

afterAll(async () => {
  await app?.close(1000);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The admin JSON API. Every answer of the SDK's admin routes (below /api/v1/) is checked against
 * the OpenAPI document (the SDK's own test harness, docs/server.md 7.5): a drift fails here too.
 */
const api = async (path: string, init: Parameters<typeof call>[1] = {}) => {
  const reply = await call(`${app.adminUrl}${path}`, { token: TOKEN, ...init });
  if (path.startsWith('/api/v1/')) {
    const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
    checkAnswer({ method, path: path.slice('/api'.length).split('?')[0] as string, status: reply.status, contentType: reply.headers.get('content-type'), text: reply.text });
    documentedAnswers++;
  }
  return reply;
};
let documentedAnswers = 0;

async function enrolAndRedeem(userId: string, phoneName = userId) {
  const started = await api('/api/v1/admin/orgs/default/enrolments', { body: { userId, account: `${userId}@acme.example` } });
  expect(started.status).toBe(201);
  secrets.add(started.json.password);
  secrets.add(started.json.text);
  const phone = makePhone(phoneName);
  const { identity } = await redeemOverHttp(app.deviceUrl, started.json, phone, clock);
  return { identity, phone, started: started.json };
}

describe('listeners', () => {
  it('binds the admin surface to 127.0.0.1 and reports the store', async () => {
    expect(app.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.deviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.origin).toBe(app.deviceUrl);
    const health = await api('/api/health');
    expect(health.json).toEqual({ status: 'ok', store: 'sqlite' });
    const device = await call(`${app.deviceUrl}/healthz`);
    expect(device.status).toBe(200);
  });

  it('the device listener serves only the device routes', async () => {
    expect((await call(`${app.deviceUrl}/api/health`, { token: TOKEN })).json.error.code).toBe('ERR_HTTP_NOT_FOUND');
    const wrongMethod = await call(`${app.deviceUrl}/v1/activations/redeem`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const malformed = await call(`${app.deviceUrl}/v1/activations/redeem`, { body: { version: 1 } });
    expect([malformed.status, malformed.json.error.code]).toEqual([400, 'ERR_ACTIVATION_MALFORMED']);
    const tooLarge = await call(`${app.deviceUrl}/v1/push/respond`, { body: { response: 'x'.repeat(40_000) } });
    expect([tooLarge.status, tooLarge.json.error.code]).toEqual([413, 'ERR_HTTP_BODY_TOO_LARGE']);
    const notJson = await call(`${app.deviceUrl}/v1/push/respond`, { body: '{', headers: { 'content-type': 'text/plain' } });
    expect(notJson.status).toBe(415);
  });

  it('answers a body over the cap and closes that connection instead of draining it', async () => {
    // 2 MiB streamed with no Content-Length: the handler stops at its cap, the glue closes.
    const big = new ReadableStream({
      start(c) {
        for (let i = 0; i < 32; i++) c.enqueue(new Uint8Array(65_536).fill(0x20));
        c.close();
      },
    });
    const res = await fetch(`${app.deviceUrl}/v1/push/poll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    await res.text();
  });
});

describe('admin JSON API protections', () => {
  it('needs the bearer token', async () => {
    const none = await call(`${app.adminUrl}/api/health`);
    expect([none.status, none.json.error.code]).toEqual([401, 'ERR_ADMIN_UNAUTHORIZED']);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await call(`${app.adminUrl}/api/health`, { token: `${TOKEN}x` });
    expect(wrong.status).toBe(401);
    const prefix = await call(`${app.adminUrl}/api/health`, { token: TOKEN.slice(0, -1) });
    expect(prefix.status).toBe(401);
  });

  it('refuses a Host that is not the loopback listener (DNS rebinding)', async () => {
    const port = new URL(app.adminUrl).port;
    const evil = await rawRequest(`${app.adminUrl}/api/health`, { headers: { host: `attacker.example:${port}`, authorization: `Bearer ${TOKEN}` } });
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body).error.code).toBe('ERR_ADMIN_HOST');
    const otherPort = await rawRequest(`${app.adminUrl}/api/health`, { headers: { host: '127.0.0.1:1', authorization: `Bearer ${TOKEN}` } });
    expect(otherPort.status).toBe(421);
    const localhost = await rawRequest(`${app.adminUrl}/api/health`, { headers: { host: `localhost:${port}`, authorization: `Bearer ${TOKEN}` } });
    expect(localhost.status).toBe(200);
  });

  it('sets the security headers on every answer', async () => {
    for (const res of [await api('/api/health'), await call(`${app.adminUrl}/api/health`), await call(`${app.adminUrl}/login`)]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

  // The JSON API is the SDK's admin router (docs/server.md 7.4): its codes.
  it('answers routes, methods, media types, sizes and JSON with stable codes', async () => {
    expect((await api('/api/nothing')).json.error.code).toBe('ERR_HTTP_NOT_FOUND');
    const method = await api('/api/v1/admin/orgs/default/verify', { method: 'GET' });
    expect([method.status, method.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await api('/api/v1/admin/orgs/default/verify', { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await api('/api/v1/admin/orgs/default/verify', { body: '{"userId":' })).json.error.code).toBe('ERR_HTTP_MALFORMED');
    expect((await api('/api/v1/admin/orgs/default/verify', { body: '[1]' })).json.error.code).toBe('ERR_HTTP_MALFORMED');
    const big = await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'a', code: 'x'.repeat(20_000) } });
    expect([big.status, big.json.error.code]).toEqual([413, 'ERR_HTTP_BODY_TOO_LARGE']);
    expect((await api('/api/v1/admin/orgs/default/audit?limit=abc')).json.error.code).toBe('ERR_HTTP_MALFORMED');
    expect((await api('/api/v1/admin/orgs/default/enrolments', { body: { userId: 'bob', mode: 'online', extra: 1 } })).json.error.code).toBe('ERR_HTTP_MALFORMED');
    // Every JSON route refuses an unknown field (guide 4.1), not only enrolment.
    expect((await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'a', code: '123456', window: 5 } })).json.error.code).toBe('ERR_HTTP_MALFORMED');
    expect((await api('/api/v1/admin/orgs/default/push', { body: { userId: 'a', context: {}, numberMatch: true, force: true } })).json.error.code).toBe('ERR_HTTP_MALFORMED');
    expect((await api('/api/v1/admin/orgs/default/enrolments/abc/revoke', { body: { reason: 'lost', now: 1 } })).json.error.code).toBe('ERR_HTTP_MALFORMED');
    expect((await api('/api/v1/admin/orgs/default/enrolments/abc/unlock', { body: { all: true } })).json.error.code).toBe('ERR_HTTP_MALFORMED');
  });

  it('passes the facade refusals of bad input on as 400 with their code', async () => {
    // Types, lengths and enums are the route's schema (400 ERR_HTTP_MALFORMED); what only the
    // facade can judge comes back with the facade's code.
    const badUser = await api('/api/v1/admin/orgs/default/enrolments', { body: { userId: '' } });
    expect([badUser.status, badUser.json.error.code]).toEqual([400, 'ERR_HTTP_MALFORMED']);
    const badMode = await api('/api/v1/admin/orgs/default/enrolments', { body: { userId: 'bob', mode: 'carrier-pigeon' } });
    expect([badMode.status, badMode.json.error.code]).toEqual([400, 'ERR_HTTP_MALFORMED']);
    expect((await api('/api/v1/admin/orgs/default/enrolments?userId=bob')).json.enrolments).toEqual([]);
    const badAccount = await api('/api/v1/admin/orgs/default/enrolments', { body: { userId: 'bob', account: 'x\u202ey' } });
    expect([badAccount.status, badAccount.json.error.code]).toEqual([400, 'ERR_INVALID_ARGUMENT']);
    expect(badAccount.json.error.message).toContain('"account"');
    expect(badAccount.json.error.message).not.toContain('x\u202ey');
    const noIds = await api('/api/v1/admin/orgs/default/verify', { body: { code: '123456' } });
    expect([noIds.status, noIds.json.error.code]).toEqual([400, 'ERR_HTTP_MALFORMED']);
    const both = await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'a', enrolmentId: 'b', code: '1' } });
    expect(both.status).toBe(400);
    // A code of any string is a typed refusal, never an error; a code that is not a string is a malformed request.
    const weird = await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'nobody', code: '{"$gt":""}' } });
    expect([weird.status, weird.json]).toEqual([200, { ok: false, reason: 'not_found' }]);
    const notString = await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'nobody', code: { $gt: '' } } });
    expect([notString.status, notString.json.error.code]).toEqual([400, 'ERR_HTTP_MALFORMED']);
  });
});

describe('enrol, redeem, verify, push: the JSON API and the device routes', () => {
  let alice: Awaited<ReturnType<typeof enrolAndRedeem>>;

  beforeAll(async () => {
    alice = await enrolAndRedeem('alice');
  });

  it('issues an online activation with a PNG QR, redeemed once through /v1/activations/redeem', async () => {
    expect(alice.started.mode).toBe('online');
    expect(alice.started.text).toMatch(/^CMFA:/);
    expect(alice.started.password).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(alice.started.expiresAt).toBe(T0 + 300_000);
    expect(Buffer.from(alice.started.qr.png, 'base64').subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(alice.started.qr.svg).toMatch(/^<svg/);
    expect(alice.identity.account).toBe('alice@acme.example');
    expect(alice.identity.issuer).toBe('Acme Corporation');
    expect(alice.identity.origin).toBe(app.deviceUrl);

    const list = await api(`/api/v1/admin/orgs/default/enrolments?userId=alice`);
    expect(list.json.enrolments).toHaveLength(1);
    expect(list.json.enrolments[0]).toMatchObject({ id: alice.identity.enrolmentId, status: 'active', mode: 'online', keyId: 'k1', device: { platform: 'android' } });
    const one = await api(`/api/v1/admin/orgs/default/enrolments/${alice.identity.enrolmentId}`);
    expect(one.json.id).toBe(alice.identity.enrolmentId);
    expect((await api('/api/v1/admin/orgs/default/enrolments/doesnotexist')).status).toBe(404);
  });

  it('accepts a code once, refuses the replay, throttles, locks, and unlocks', async () => {
    const code = codeAt(alice.identity, clock);
    secrets.add(code);
    const ok = await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'alice', code } });
    expect(ok.json).toMatchObject({ ok: true, method: 'totp', delta: 0, enrolmentId: alice.identity.enrolmentId });
    const replay = await api('/api/v1/admin/orgs/default/verify', { body: { enrolmentId: alice.identity.enrolmentId, code } });
    expect(replay.json).toMatchObject({ ok: false, reason: 'replayed' });

    clock.advance(30_000);
    const seen: Array<number | null> = [];
    for (let i = 0; i < 9; i++) {
      const r = await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'alice', code: wrongCode(alice.identity, clock, i) } });
      expect(r.json).toMatchObject({ ok: false, reason: 'invalid', detail: 'mismatch' });
      seen.push(r.json.retryAfterMs);
      if (r.json.retryAfterMs && i < 8) clock.advance(r.json.retryAfterMs);
    }
    // The replay counted as the first failure: 3 free, then 1 s, 2 s, ... 32 s, and at the 10th
    // consecutive failure the lockout (15 min).
    expect(seen).toEqual([null, null, 1000, 2000, 4000, 8000, 16_000, 32_000, 900_000]);
    const locked = await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'alice', code: codeAt(alice.identity, clock) } });
    expect(locked.json).toMatchObject({ ok: false, reason: 'locked', retryAfterMs: 900_000 });

    expect((await api(`/api/v1/admin/orgs/default/enrolments/${alice.identity.enrolmentId}/unlock`, { body: {} })).json).toEqual({ ok: true });
    const after = await api('/api/v1/admin/orgs/default/verify', { body: { userId: 'alice', code: codeAt(alice.identity, clock) } });
    expect(after.json).toMatchObject({ ok: true });
  });

  it('pushes: Confirm with number matching approves once; the login page sees it', async () => {
    clock.advance(60_000);
    const push = await api('/api/v1/admin/orgs/default/push', { body: { userId: 'alice', context: { service: 'Acme VPN', message: 'Sign in' }, numberMatch: true } });
    expect(push.json).toMatchObject({ ok: true, enrolmentId: alice.identity.enrolmentId, pushToken: null, platform: 'android' });
    expect(push.json.number).toMatch(/^[1-9][0-9]$/);
    const response = await pollAndAnswer(app.deviceUrl, alice.identity, alice.phone, clock, 'confirm', push.json.number);
    const first = await call(`${app.deviceUrl}/v1/push/respond`, { body: { response } });
    expect(first.json).toEqual({ challengeId: push.json.challengeId, status: 'approved', suspicious: false, detail: null });
    const second = await call(`${app.deviceUrl}/v1/push/respond`, { body: { response } });
    expect([second.status, second.json.error.code]).toEqual([409, 'ERR_PUSH_REPLAYED']);
    const status = await call(`${app.deviceUrl}/v1/push/challenges/${push.json.challengeId}`);
    expect(status.json).toMatchObject({ status: 'approved', numberMatch: true });
    // The number to match is no value of the status. (Not a substring test of the text: its two
    // digits occur by chance inside ids and times, which made the outcome depend on the seed.)
    const values = (v: unknown): unknown[] => (v !== null && typeof v === 'object' ? Object.values(v).flatMap(values) : [v]);
    expect(values(status.json)).not.toContain(push.json.number);
    expect(values(status.json)).not.toContain(Number(push.json.number));
    expect((await api(`/api/v1/admin/orgs/default/push/${push.json.challengeId}`)).json.status).toBe('approved');
  });

  it('pushes: Suspicious denies and pauses pushes until resumed; Cancel closes without an audit entry', async () => {
    clock.advance(60_000);
    const push = await api('/api/v1/admin/orgs/default/push', { body: { userId: 'alice', context: { service: 'Acme VPN' } } });
    const response = await pollAndAnswer(app.deviceUrl, alice.identity, alice.phone, clock, 'suspicious');
    const answered = await call(`${app.deviceUrl}/v1/push/respond`, { body: { response } });
    expect(answered.json).toMatchObject({ challengeId: push.json.challengeId, status: 'denied', suspicious: true });
    const paused = await api('/api/v1/admin/orgs/default/push', { body: { userId: 'alice', context: { service: 'Acme VPN' } } });
    expect(paused.json).toMatchObject({ ok: false, reason: 'paused', retryAfterMs: 900_000 });
    expect((await api('/api/v1/admin/orgs/default/push/resume', { body: { userId: 'alice' } })).json).toEqual({ ok: true });

    const again = await api('/api/v1/admin/orgs/default/push', { body: { userId: 'alice', context: { service: 'Acme VPN' } } });
    expect(again.json.ok).toBe(true);
    const cancel = await pollAndAnswer(app.deviceUrl, alice.identity, alice.phone, clock, 'cancel');
    const cancelled = await call(`${app.deviceUrl}/v1/push/respond`, { body: { response: cancel } });
    expect(cancelled.json).toMatchObject({ status: 'cancelled', suspicious: false });

    const audit = await api(`/api/v1/admin/orgs/default/audit?userId=alice&limit=100`);
    const kinds = audit.json.events.map((e: { kind: string }) => e.kind).reverse();
    expect(kinds.filter((k: string) => k.startsWith('push.'))).toEqual(['push.approved', 'push.suspicious', 'push.resumed']);
    expect(kinds).toContain('otp.locked');
    expect(kinds).toContain('otp.unlocked');
    // The risk events were mirrored to the process log (kind and ids only).
    expect(logs.some((l) => l.includes('"event":"risk"') && l.includes('push.suspicious'))).toBe(true);
  });

  it('refuses misuse of the push API with the facade codes', async () => {
    const noService = await api('/api/v1/admin/orgs/default/push', { body: { userId: 'alice', context: {} } });
    // A context without its service fails the route's schema; one the push package refuses, its code.
    expect([noService.status, noService.json.error.code]).toEqual([400, 'ERR_HTTP_MALFORMED']);
    const tooLong = await api('/api/v1/admin/orgs/default/push', { body: { userId: 'alice', context: { service: 'x'.repeat(65) } } });
    expect([tooLong.status, tooLong.json.error.code]).toEqual([400, 'ERR_PUSH_CONTEXT_TOO_LARGE']);
    const nobody = await api('/api/v1/admin/orgs/default/push', { body: { userId: 'nobody', context: { service: 'VPN' } } });
    expect(nobody.json).toEqual({ ok: false, reason: 'no_device' });
  });

  it('revokes: codes and pushes stop working', async () => {
    const carol = await enrolAndRedeem('carol');
    const revoked = await api(`/api/v1/admin/orgs/default/enrolments/${carol.identity.enrolmentId}/revoke`, { body: { reason: 'lost_phone' } });
    expect(revoked.json).toEqual({ ok: true });
    expect((await api(`/api/v1/admin/orgs/default/enrolments/${carol.identity.enrolmentId}/revoke`, { body: {} })).json).toEqual({ ok: false, reason: 'already_revoked' });
    const code = await api('/api/v1/admin/orgs/default/verify', { body: { enrolmentId: carol.identity.enrolmentId, code: codeAt(carol.identity, clock) } });
    expect(code.json).toMatchObject({ ok: false, reason: 'not_active', status: 'revoked' });
    expect((await api('/api/v1/admin/orgs/default/push', { body: { userId: 'carol', context: { service: 'VPN' } } })).json).toEqual({ ok: false, reason: 'no_device' });
    const view = await api(`/api/v1/admin/orgs/default/enrolments/${carol.identity.enrolmentId}`);
    expect(view.json).toMatchObject({ status: 'revoked', keyId: null });
  });

  it('issues otpauth enrolments activated by the first code, and re-issues', async () => {
    const started = await api('/api/v1/admin/orgs/default/enrolments', { body: { userId: 'dave', mode: 'otpauth' } });
    expect(started.json.uri).toMatch(/^otpauth:\/\/totp\//);
    secrets.add(started.json.uri);
    secrets.add(new URL(started.json.uri).searchParams.get('secret') as string);
    const reissued = await api(`/api/v1/admin/orgs/default/enrolments/${started.json.enrolmentId}/reissue`, { body: {} });
    expect(reissued.json).toMatchObject({ ok: true, revoked: true });
    expect(reissued.json.activation.uri).not.toBe(started.json.uri);
    secrets.add(reissued.json.activation.uri);
    const rotated = await api('/api/v1/admin/orgs/default/keys/rotate', { body: { userId: 'dave' } });
    expect(rotated.json).toEqual({ examined: 2, current: 2, rewrapped: 0, failed: 0 });
  });
});

describe('admin HTML pages', () => {
  let cookie = '';
  let csrf = '';

  const page = (path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) =>
    call(`${app.adminUrl}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers: { ...(cookie ? { cookie } : {}), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...init.headers },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });

  it('sends a visitor without a session to the login page; a wrong token stays there', async () => {
    const home = await page('/');
    expect([home.status, home.headers.get('location')]).toEqual([303, '/login']);
    const login = await page('/login');
    expect(login.text).toContain('name="token"');
    const wrong = await page('/login', { form: { token: 'not-the-token-at-all-000000' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a login POST from another site (foreign Origin or cross-site Sec-Fetch-Site), even with the right token', async () => {
    const foreign = await page('/login', { form: { token: TOKEN }, headers: { origin: 'https://attacker.example' } });
    expect([foreign.status, foreign.headers.get('set-cookie')]).toEqual([403, null]);
    for (const site of ['cross-site', 'same-site']) {
      const res = await page('/login', { form: { token: TOKEN }, headers: { 'sec-fetch-site': site } });
      expect([res.status, res.headers.get('set-cookie')]).toEqual([403, null]);
    }
  });

  // What Chromium sends on a same-origin form post when the page's Referrer-Policy is
  // no-referrer: `Origin: null` with `Sec-Fetch-Site: same-origin`. Fetch Metadata decides.
  it('accepts a same-origin form post as browsers send it (Origin: null with Sec-Fetch-Site: same-origin, or a same-origin Referer)', async () => {
    const chromium = await page('/login', { form: { token: TOKEN }, headers: { origin: 'null', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' } });
    expect([chromium.status, chromium.headers.get('location')]).toEqual([303, '/']);
    const referer = await page('/login', { form: { token: TOKEN }, headers: { referer: `${app.adminUrl}/login` } });
    expect(referer.status).toBe(303);
    expect(chromium.headers.get('referrer-policy')).toBe('same-origin');
  });

  it('still refuses a cross-site form post however its Origin reads (null, foreign, or a foreign Referer)', async () => {
    const refused: Array<Record<string, string>> = [
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { origin: 'null', 'sec-fetch-site': 'same-site' },
      { origin: 'null' }, // no Fetch Metadata: a null Origin proves nothing
      { origin: 'https://attacker.example', 'sec-fetch-site': 'same-origin' },
      { referer: 'https://attacker.example/page' },
      { referer: 'not a url' },
    ];
    for (const headers of refused) {
      const res = await page('/login', { form: { token: TOKEN }, headers });
      expect([res.status, res.headers.get('set-cookie')], JSON.stringify(headers)).toEqual([403, null]);
    }
  });

  it('logs in with the token: an HttpOnly, SameSite=Strict session cookie', async () => {
    const login = await page('/login', { form: { token: TOKEN } });
    expect([login.status, login.headers.get('location')]).toEqual([303, '/']);
    const setCookie = login.headers.get('set-cookie') as string;
    expect(setCookie).toMatch(/^cmfa_admin=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800$/);
    cookie = setCookie.split(';')[0] as string;
    const home = await page('/');
    expect(home.status).toBe(200);
    csrf = /name="csrf" value="([^"]+)"/.exec(home.text)?.[1] as string;
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(home.text).toContain('Enrol a user');
    expect(home.text).toContain('Recent audit entries');
  });

  it('refuses a form without the CSRF token, with a foreign Origin, or a cross-site fetch', async () => {
    const noCsrf = await page('/enrol', { form: { userId: 'eve' } });
    expect(noCsrf.status).toBe(403);
    const badCsrf = await page('/enrol', { form: { userId: 'eve', csrf: `${csrf.slice(0, -1)}A` } });
    expect(badCsrf.status).toBe(403);
    const foreign = await page('/enrol', { form: { userId: 'eve', csrf }, headers: { origin: 'https://attacker.example' } });
    expect(foreign.status).toBe(403);
    const crossSite = await page('/enrol', { form: { userId: 'eve', csrf }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const noCookie = await call(`${app.adminUrl}/enrol`, { body: new URLSearchParams({ userId: 'eve', csrf }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(noCookie.status).toBe(401);
    const audit = await api('/api/v1/admin/orgs/default/audit?userId=eve');
    expect(audit.json.events).toEqual([]);
  });

  it('enrols a user: the QR as a PNG, the password, the expiry; everything escaped', async () => {
    const hostile = '<script>alert(1)</script>';
    const res = await page('/enrol', { form: { userId: 'erin', account: hostile, mode: 'online', csrf } });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<img alt="activation QR code"[^>]+src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    const password = /class="big mono">([0-9A-Z-]{14})</.exec(res.text)?.[1] as string;
    expect(password).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    secrets.add(password);
    expect(res.text).toContain('expires 2026-01-01T');

    const list = await api('/api/v1/admin/orgs/default/enrolments?userId=erin');
    expect(list.json.enrolments[0].account).toBe(hostile);
    const user = await page('/users?userId=erin');
    expect(user.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(user.text).not.toContain(hostile);
    const xssUser = await page('/enrol', { form: { userId: hostile, csrf } });
    expect(xssUser.text).not.toContain(hostile);
  });

  it('verifies a code and shows the outcome', async () => {
    const bob = await enrolAndRedeem('bob');
    const code = codeAt(bob.identity, clock);
    secrets.add(code);
    const ok = await page('/verify', { form: { userId: 'bob', code, csrf } });
    expect(ok.text).toContain('<p class="ok">Accepted</p>');
    const again = await page('/verify', { form: { userId: 'bob', code, csrf } });
    expect(again.text).toContain('Refused: this code was already used (replay)');
  });

  it('sends a push: the number on the page (not in the URL), the status refreshed until final', async () => {
    const bob = { identity: (await api('/api/v1/admin/orgs/default/enrolments?userId=bob')).json.enrolments[0] };
    const sent = await page('/push', { form: { userId: 'bob', service: 'Example sign-in', numberMatch: '1', csrf } });
    expect(sent.status).toBe(303);
    const location = sent.headers.get('location') as string;
    expect(location).toMatch(/^\/push\/[A-Za-z0-9_-]{22}$/);
    const pending = await page(location);
    const number = /class="big">(\d{2})</.exec(pending.text)?.[1];
    expect(number).toMatch(/^[1-9]\d$/);
    expect(pending.text).toContain('<meta http-equiv="refresh" content="2">');
    expect(pending.text).toContain('<b class="">pending</b>');
    const id = location.split('/')[2] as string;
    expect((await api(`/api/v1/admin/orgs/default/push/${id}`)).json).toMatchObject({ status: 'pending', numberMatch: true });
    expect(bob.identity.status).toBe('active');
    const missing = await page('/push/AAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
  });

  it('shows a user and the audit log; revoke from the page', async () => {
    const user = await page('/users?userId=bob');
    const id = /name="enrolmentId" value="([^"]+)"/.exec(user.text)?.[1] as string;
    const revoked = await page('/revoke', { form: { userId: 'bob', enrolmentId: id, csrf } });
    expect([revoked.status, revoked.headers.get('location')]).toEqual([303, '/users?userId=bob']);
    expect((await api(`/api/v1/admin/orgs/default/enrolments/${id}`)).json.status).toBe('revoked');
    const audit = await page('/audit?userId=bob');
    expect(audit.text).toContain('enrolment.revoked');
    expect(audit.text).toContain('otp.accepted');
  });

  it('logs out: the session ends', async () => {
    const out = await page('/logout', { form: { csrf } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    const home = await page('/');
    expect([home.status, home.headers.get('location')]).toEqual([303, '/login']);
  });
});

describe('logs', () => {
  it('one line per request with the route pattern, status, code and time; never a secret', () => {
    const requests = logs.map((l) => JSON.parse(l)).filter((e) => e.listener);
    expect(requests.length).toBeGreaterThan(50);
    for (const e of requests) {
      expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['listener', 'method', 'route', 'status', 'code', 'ms']));
      expect(typeof e.ms).toBe('number');
    }
    expect(requests.some((e) => e.route === '/v1/admin/orgs/{orgId}/enrolments')).toBe(true);
    expect(requests.some((e) => e.route === '/v1/push/challenges/:id')).toBe(true);
    const all = logs.join('\n');
    expect(secrets.size).toBeGreaterThan(8);
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all).not.toContain('alice@acme.example');
  });
});

describe('the OpenAPI document and the API reference', () => {
  it('serves /openapi.json: the SDK document of the routes it serves, mounted below /api', async () => {
    const res = await call(`${app.adminUrl}/openapi.json`);
    expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([200, 'application/json; charset=utf-8', 'no-store']);
    const doc = res.json as typeof DOCUMENT;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(DOCUMENT.paths).map((p) => `/api${p}`).sort());
    expect((await call(`${app.adminUrl}/openapi.json`, { method: 'POST', body: {} })).status).toBe(405);
    // The API tests above went through the document check.
    expect(documentedAnswers).toBeGreaterThan(40);
  });

  it('renders every operation on /api-reference, escaped, under the admin CSP', async () => {
    const res = await call(`${app.adminUrl}/api-reference`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.text).not.toContain('<script');
    const doc = (await call(`${app.adminUrl}/openapi.json`)).json as typeof DOCUMENT;
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        operations++;
        const id = (op as unknown as { operationId: string }).operationId;
        const section = new RegExp(`<section class="operation" id="op-${id}">\\s*<h2><code>${method.toUpperCase()} ${path.replace(/[{}]/g, '\\$&')}</code></h2>`);
        expect(res.text, `${method} ${path}`).toMatch(section);
      }
    }
    expect(res.text.match(/<section class="operation"/g)).toHaveLength(operations);
    expect(operations).toBe(24);
  });

  it('escapes everything the document says (a hostile document renders as text)', () => {
    const evil = '<img src=x onerror=alert(1)>"\'&';
    const html = renderApiReference({
      openapi: '3.1.0',
      info: { title: evil, version: evil, description: evil },
      tags: [{ name: evil, description: evil }],
      paths: { [`/x/${evil}`]: { get: { operationId: evil, summary: evil, tags: [evil], parameters: [{ name: evil, in: 'query', schema: { pattern: evil } }], responses: { 200: { description: evil, content: { 'application/json': { schema: { const: evil } } } } } } } },
    });
    expect(html).not.toContain('<img');
    expect(html).not.toContain(evil);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
  });
});
